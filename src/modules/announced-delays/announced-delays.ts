import { CHANNELS, type Channel, REQUEST_KINDS, type RequestKind } from "../frameworks/channels.ts";

/**
 * The delays an organisation announces to the public, one per channel and kind of request. Pure.
 * Each cell comes from the organisation itself, else from its nearest ancestor that set it, else from
 * its framework's text (Marianne 2008: 15 working days for letters, 5 for e-mails…); Services
 * Publics+ leaves each service to announce its own, so a cell may stay empty.
 */
export const DELAY_UNITS = ["working_days", "business_days", "calendar_days"] as const;
export type DelayUnit = (typeof DELAY_UNITS)[number];

export const DELAY_UNIT_LABELS: Record<DelayUnit, string> = {
  working_days: "jours ouvrés (lundi au vendredi)",
  business_days: "jours ouvrables (lundi au samedi)",
  calendar_days: "jours calendaires",
};

export interface Delay {
  value: number;
  unit: DelayUnit;
}

export type DelaySource =
  | { kind: "own" }
  | { kind: "parent"; orgId: string; orgName: string }
  | { kind: "framework"; commitmentId: string }
  | { kind: "none" };

export interface AnnouncedDelay {
  channel: Channel;
  kind: RequestKind;
  delay: Delay | null;
  source: DelaySource;
}

export interface OwnRow {
  orgId: string;
  channel: string;
  kind: string;
  value: number;
  unit: string;
}

/** A rough common scale to compare delays in different units: 5 working days ≈ 6 business days ≈ 7 days. */
export function delayInDays(d: Delay): number {
  return d.unit === "working_days" ? (d.value * 7) / 5 : d.unit === "business_days" ? (d.value * 7) / 6 : d.value;
}

export const cellKey = (channel: string, kind: string) => `${channel}|${kind}`;

export function isDelayUnit(unit: string): unit is DelayUnit {
  return (DELAY_UNITS as readonly string[]).includes(unit);
}

/**
 * The fifteen cells of an organisation. `path` is root first, the organisation last; `rows` are the
 * rows set on any node of the path; `framework` the framework's delay per cell, if any.
 */
export function resolveDelays(
  path: Array<{ id: string; name: string }>,
  rows: OwnRow[],
  framework: Map<string, { delay: Delay; commitmentId: string }>,
): AnnouncedDelay[] {
  const self = path[path.length - 1]?.id;
  const byNode = new Map<string, Map<string, OwnRow>>();
  for (const r of rows) {
    const cells = byNode.get(r.orgId) ?? new Map<string, OwnRow>();
    cells.set(cellKey(r.channel, r.kind), r);
    byNode.set(r.orgId, cells);
  }
  const nearestFirst = [...path].reverse();
  const out: AnnouncedDelay[] = [];
  for (const channel of CHANNELS) {
    for (const kind of REQUEST_KINDS) {
      const key = cellKey(channel, kind);
      const node = nearestFirst.find((n) => byNode.get(n.id)?.has(key));
      const row = node ? byNode.get(node.id)?.get(key) : undefined;
      if (node && row && isDelayUnit(row.unit)) {
        out.push({
          channel,
          kind,
          delay: { value: row.value, unit: row.unit },
          source: node.id === self ? { kind: "own" } : { kind: "parent", orgId: node.id, orgName: node.name },
        });
        continue;
      }
      const fromFramework = framework.get(key);
      out.push(
        fromFramework
          ? { channel, kind, delay: fromFramework.delay, source: { kind: "framework", commitmentId: fromFramework.commitmentId } }
          : { channel, kind, delay: null, source: { kind: "none" } },
      );
    }
  }
  return out;
}
