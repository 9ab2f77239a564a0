import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { contributionPoint } from "../../kernel/contributions.ts";
import type { IndicatorBatchSource, IndicatorSource, IndicatorValue, OrgScope, Period } from "./indicator.ts";

/**
 * Every module's figures, in the order a dashboard lists them (the order of the module list,
 * src/app/modules.ts). A module hands its source to this point in its description
 * (`indicatorSourcePoint.with({ module, source, batch })`); readers (dashboard, annual review,
 * published results) call `allIndicators`. This module never imports the sources back.
 */
export interface IndicatorSourceEntry {
  module: string;
  source: IndicatorSource;
  /** The same figures for every organisation of a scope, in a bounded number of queries. */
  batch: IndicatorBatchSource;
  /**
   * Adds to the rollups what still waits beside them (a registration's or a survey answer's counts): the
   * source's own reads do it first, and so does whoever looks for what changed without reading them (the
   * publication, see settlePendingCounts).
   */
  settle?: (db: Kysely<DB>) => Promise<unknown>;
}
export const indicatorSourcePoint = contributionPoint<IndicatorSourceEntry>("indicators.sources");

/**
 * Every source's waiting counts added to its rollups: written, they mark their organisations as changed
 * (publication_dirty), which a count still waiting does not do.
 */
export async function settlePendingCounts(db: Kysely<DB>): Promise<void> {
  for (const { settle } of indicatorSourcePoint.items()) await settle?.(db);
}

/**
 * The targets a network set for its subtree (obligations module, issue #14): read for one organisation
 * or a whole scope, then applied to the figures. One module hands them in.
 */
export interface IndicatorTargets {
  of(db: Kysely<DB>, orgId: string): Promise<Map<string, number>>;
  inScope(db: Kysely<DB>, scope: OrgScope): Promise<Map<string, Map<string, number>>>;
  apply(values: IndicatorValue[], targets: Map<string, number> | undefined): IndicatorValue[];
}
export const indicatorTargetsPoint = contributionPoint<IndicatorTargets>("indicators.targets");

function targetsReader(): IndicatorTargets | undefined {
  const [first, second] = indicatorTargetsPoint.items();
  if (second) throw new Error("Deux modules fournissent les objectifs des indicateurs : un seul le peut.");
  return first;
}

/**
 * Each figure carries the target it is judged against: the framework's, or the one a network set for
 * its subtree (obligations module, issue #14), so the dashboard, the published figures, the annual
 * review and the comparison all read the same target.
 */
export async function allIndicators(db: Kysely<DB>, orgId: string, period: Period): Promise<IndicatorValue[]> {
  const targets = targetsReader();
  const [lists, ownTargets] = await Promise.all([
    Promise.all(indicatorSourcePoint.items().map(({ source }) => source(db, orgId, period))),
    targets?.of(db, orgId),
  ]);
  return targets ? targets.apply(lists.flat(), ownTargets) : lists.flat();
}

/**
 * The figures of every organisation of a scope (comparison, network review, survey results by site):
 * each source answers for the whole scope in a bounded number of queries (issue #13).
 */
export async function indicatorsInScope(db: Kysely<DB>, scope: OrgScope, period: Period): Promise<Map<string, IndicatorValue[]>> {
  const result = new Map<string, IndicatorValue[]>();
  for (const { batch } of indicatorSourcePoint.items()) {
    for (const [orgId, values] of await batch(db, scope, period)) result.set(orgId, [...(result.get(orgId) ?? []), ...values]);
  }
  const targets = targetsReader();
  if (!targets) return result;
  const byOrg = await targets.inScope(db, scope);
  for (const [orgId, values] of result) result.set(orgId, targets.apply(values, byOrg.get(orgId)));
  return result;
}
