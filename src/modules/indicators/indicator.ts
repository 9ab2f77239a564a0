import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Channel } from "../frameworks/channels.ts";

/**
 * The one shape every module gives its figures in, so that the dashboard (#8), the annual review (#7)
 * and the published results read requests, surveys, calls, mystery tests and self-assessment alike.
 * Each module exports an `IndicatorSource` from its service; `sources.ts` lists them. Pure types.
 */

/** An inclusive span of days, ISO dates (`2026-01-01` … `2026-12-31`). */
export interface Period {
  from: string;
  to: string;
}

/**
 * `share` is 0..1 (shown as a percentage); `points` is -100..100 (net satisfaction);
 * `days` and `seconds` are durations; `count` a number of things; `score` 0..100.
 */
export type IndicatorUnit = "share" | "points" | "days" | "seconds" | "count" | "score";

export interface IndicatorValue {
  /** Stable key, `<module>.<name>` (`requests.answered_in_time`, `calls.answer_rate`…): the open-data column. */
  key: string;
  /** French label, as shown to staff and the public. */
  label: string;
  unit: IndicatorUnit;
  /** Null when there is nothing to compute it from (no call, no answer…). */
  value: number | null;
  /** 95 % interval, when the figure is a sample estimate. */
  low?: number | null;
  high?: number | null;
  /** What the organisation promised, in the same unit; null when no target applies. */
  target: number | null;
  /** Which way is good: drives the traffic light and the arrow of the trend. */
  better: "higher" | "lower";
  /** How many observations the value rests on (requests answered, responses, calls…). */
  sample: number;
  /** Framework commitment ids this figure measures (`sp+2021/2`, `marianne-2008/12`…). */
  commitments: string[];
  channel?: Channel | null;
}

/**
 * The figures of an organisation's whole subtree over a period. Must read precomputed rollups
 * (never scan raw rows of a large network) and return [] when the module has nothing for it.
 */
export type IndicatorSource = (db: Kysely<DB>, orgId: string, period: Period) => Promise<IndicatorValue[]>;

/**
 * Which organisations a comparison lists (issue #13): the children of a node, or every site of its
 * subtree (`kind = 'site'`, at any depth). Given as a node and a depth rather than an id list, so a
 * source reads them with one grouped query (`parent_id = …` or `path && …`) whatever their number.
 */
export interface OrgScope {
  of: string;
  depth: "children" | "sites";
}

/**
 * The figures of every organisation of a scope, each over its own subtree, keyed by organisation id:
 * a bounded number of set-based reads of the per-level rollups, never one read per organisation.
 * Organisations with nothing to show may be absent from the map.
 */
export type IndicatorBatchSource = (db: Kysely<DB>, scope: OrgScope, period: Period) => Promise<Map<string, IndicatorValue[]>>;
