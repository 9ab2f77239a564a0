import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { commitmentsInScope } from "../frameworks/frameworks.service.ts";
import type { IndicatorBatchSource, IndicatorSource, IndicatorValue, Period } from "../indicators/indicator.ts";
import { currentHoursOf } from "../opening-hours/opening-hours.service.ts";
import { getOrganisation, organisationsInScope, scopeIds } from "../organisations/organisations.service.ts";
import { monthStart } from "./calls.import.ts";
import * as repo from "./calls.repository.ts";
import { DEFAULT_SECONDS_PER_RING, getCallSettings, PHONE_COMMITMENTS, ringsOfCommitments, ringsTarget } from "./calls.settings.ts";
import { type CallFigures, type CallReport, callReport, type IsOpen } from "./figures.ts";
import { openingHoursOf, weeklyPredicate } from "./opening-hours.ts";

/**
 * The calls module's public surface: settings (calls.settings.ts), imports of call logs (calls.import.ts),
 * and the phone figures, here.
 */

export * from "./calls.import.ts";
export * from "./calls.settings.ts";

// ---- Figures ----

export interface CallIndicators extends CallReport {
  from: string;
  to: string;
  rings: number;
  ringsFrom: string;
  secondsPerRing: number;
  /** Figures of each direct child organisation (its own subtree). */
  byChild: Array<{ orgId: string; name: string; offered: number; answered: number; answerRate: number | null }>;
}

async function isOpenFor(db: Kysely<DB>, orgId: string, given: IsOpen | string | null | undefined): Promise<IsOpen | null> {
  const hours = given === undefined ? await openingHoursOf(db, orgId) : given;
  if (hours === null) return null;
  return typeof hours === "string" ? predicateOrNull(hours) : hours;
}

/**
 * The phone figures of an organisation's subtree over the months a period touches, read from the
 * rollups only: its own calls by line, its descendants' without the line (a network page shows no
 * line of its sites), and one grouped read for its children. The same handful of reads at any size of
 * the subtree. `isOpen` (or an opening_hours string) counts the calls outside opening hours; left
 * out, the organisation's own hours in force are used.
 */
export async function callFigures(
  db: Kysely<DB>,
  orgId: string,
  period: Period,
  options: { isOpen?: IsOpen | string | null } = {},
): Promise<CallIndicators> {
  const childScope = { of: orgId, depth: "children" } as const;
  const [own, children, childRows] = await Promise.all([
    ownCallFigures(db, orgId, period, options),
    organisationsInScope(db, childScope),
    repo.slotTotalsOf(db, scopeIds(db, childScope), monthStart(period.from), monthStart(period.to), false),
  ]);
  const totals = new Map(childRows.map((r) => [r.org_id, r]));
  const byChild = children.map((c) => {
    const offered = totals.get(c.id)?.offered ?? 0;
    const answered = totals.get(c.id)?.answered ?? 0;
    return { orgId: c.id, name: c.name, offered, answered, answerRate: offered ? answered / offered : null };
  });
  return { ...own, byChild };
}

/**
 * The figures of the subtree without the children's lines: what the indicators need. The children's
 * totals cost a read of every child's descendant rollups (76 ms for a network's 13 regions at 5,000
 * sites, issue #13), which only the phone page shows.
 */
async function ownCallFigures(
  db: Kysely<DB>,
  orgId: string,
  period: Period,
  options: { isOpen?: IsOpen | string | null },
): Promise<Omit<CallIndicators, "byChild">> {
  const settings = await getCallSettings(db, orgId);
  const { rings, from: ringsFrom } = await ringsTarget(db, orgId, settings);
  const fromMonth = monthStart(period.from);
  const toMonth = monthStart(period.to);
  const [rows, waits, isOpen] = await Promise.all([
    repo.slotRows(db, orgId, fromMonth, toMonth),
    repo.waitRows(db, orgId, fromMonth, toMonth),
    isOpenFor(db, orgId, options.isOpen),
  ]);
  const report = callReport(
    rows.map((r) => ({ ...r, waitSum: Number(r.wait_sum) })),
    waits,
    rings * settings.secondsPerRing,
    isOpen,
  );
  return { ...report, from: period.from, to: period.to, rings, ringsFrom, secondsPerRing: settings.secondsPerRing };
}

/** The phone figures in the shared indicator shape (see indicators/indicator.ts). */
export const callIndicators: IndicatorSource = async (db, orgId, period) => {
  const f = await ownCallFigures(db, orgId, period, {});
  return indicatorValues(f.total, f.rings, f.secondsPerRing);
};

/**
 * The phone figures of every organisation of a scope (children of a node, or all sites below it),
 * each over its own subtree, equal to `callIndicators` one by one: the organisations, their call
 * settings, the commitments and opening hours they inherit, and the rollups of all of them grouped by
 * organisation — a fixed number of reads, whatever the number of organisations.
 */
export const callIndicatorBatch: IndicatorBatchSource = async (db, scope, period) => {
  const fromMonth = monthStart(period.from);
  const toMonth = monthStart(period.to);
  const ids = () => scopeIds(db, scope);
  const [root, orgs, settingsRows] = await Promise.all([
    getOrganisation(db, scope.of),
    organisationsInScope(db, scope),
    repo.settingsOf(db, ids()),
  ]);
  const [commitments, hours] = await Promise.all([commitmentsInScope(db, root, orgs), currentHoursOf(db, orgs, ids())]);
  const predicates = new Map<string, IsOpen | null>();
  const isOpenOf = (orgId: string): IsOpen | null => {
    const h = hours.get(orgId);
    if (h === undefined) return null;
    if (!predicates.has(h)) predicates.set(h, predicateOrNull(h));
    return predicates.get(h) ?? null;
  };
  const [slots, waits] = await Promise.all([
    repo.slotTotalsOf(db, ids(), fromMonth, toMonth, hours.size > 0),
    repo.waitTotalsOf(db, ids(), fromMonth, toMonth),
  ]);
  const group = <T extends { org_id: string }>(rows: T[]) => {
    const by = new Map<string, T[]>();
    for (const r of rows) by.set(r.org_id, [...(by.get(r.org_id) ?? []), r]);
    return by;
  };
  const slotsBy = group(slots);
  const waitsBy = group(waits);
  const settingsBy = new Map(settingsRows.map((r) => [r.org_id, r]));
  const out = new Map<string, IndicatorValue[]>();
  for (const org of orgs) {
    const mine = slotsBy.get(org.id);
    if (!mine) continue;
    const own = settingsBy.get(org.id);
    const rings = own?.rings ?? ringsOfCommitments(commitments.get(org.id) ?? []).rings;
    const secondsPerRing = own?.seconds_per_ring ?? DEFAULT_SECONDS_PER_RING;
    const report = callReport(
      mine.map((r) => ({ ...r, month: fromMonth, line: null, waitSum: Number(r.wait_sum) })),
      (waitsBy.get(org.id) ?? []).map((w) => ({ ...w, month: fromMonth, line: null })),
      rings * secondsPerRing,
      isOpenOf(org.id),
    );
    const values = indicatorValues(report.total, rings, secondsPerRing);
    if (values.length) out.set(org.id, values);
  }
  return out;
};

/** Hours saved through the hours page were checked; anything the weekly reading still refuses leaves the figure out. */
function predicateOrNull(hours: string): IsOpen | null {
  try {
    return weeklyPredicate(hours);
  } catch {
    return null;
  }
}

function indicatorValues(t: CallFigures, rings: number, secondsPerRing: number): IndicatorValue[] {
  if (t.offered === 0) return [];
  const phone = { channel: "phone" as const };
  const values: IndicatorValue[] = [
    {
      key: "calls.answer_rate",
      label: "Taux de décroché",
      unit: "share",
      value: t.answerRate,
      target: null,
      better: "higher",
      sample: t.offered,
      commitments: PHONE_COMMITMENTS,
      ...phone,
    },
    {
      key: "calls.within_rings",
      label: `Appels décrochés en ${rings} sonneries au plus`,
      unit: "share",
      value: t.withinRate,
      target: null,
      better: "higher",
      sample: t.offered,
      commitments: ["marianne-2008/12"],
      ...phone,
    },
    {
      key: "calls.mean_wait",
      label: "Temps d'attente moyen avant décroché",
      unit: "seconds",
      value: t.meanWait,
      target: rings * secondsPerRing,
      better: "lower",
      sample: t.answered,
      commitments: ["marianne-2016/8", "marianne-2008/12"],
      ...phone,
    },
    {
      key: "calls.p90_wait",
      label: "Temps d'attente avant décroché (9 appels sur 10)",
      unit: "seconds",
      value: t.p90Wait,
      target: rings * secondsPerRing,
      better: "lower",
      sample: t.answered,
      commitments: ["marianne-2016/8", "marianne-2008/12"],
      ...phone,
    },
    {
      key: "calls.abandon_rate",
      label: "Appels abandonnés avant décroché",
      unit: "share",
      value: t.abandonRate,
      target: null,
      better: "lower",
      sample: t.offered,
      commitments: ["marianne-2016/8"],
      ...phone,
    },
  ];
  if (t.outsideHours !== null) {
    values.push({
      key: "calls.outside_hours",
      label: "Appels reçus en dehors des horaires d'ouverture",
      unit: "count",
      value: t.outsideHours,
      target: null,
      better: "lower",
      sample: t.offered,
      commitments: ["sp+2021/2"],
      ...phone,
    });
  }
  return values;
}
