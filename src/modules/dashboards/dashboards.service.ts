import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { organisationCommitments } from "../frameworks/frameworks.service.ts";
import type { IndicatorValue, Period } from "../indicators/indicator.ts";
import { allIndicators } from "../indicators/sources.ts";
import { getOrganisation, type Organisation, subtree } from "../organisations/organisations.service.ts";
import { previousPeriod } from "./period.ts";
import { type Light, type Trend, trafficLight, trend } from "./traffic-light.ts";

/**
 * The referent's dashboard: every figure any module gives for an organisation's subtree, one line per
 * commitment of its framework, judged against target (traffic light) and against the period before
 * (trend). Reads the indicator sources, which read rollups.
 */
export interface DashboardFigure extends IndicatorValue {
  light: Light;
  previous: number | null;
  trend: Trend;
}

export interface DashboardLine {
  commitment: { id: string; number: number | null; title: string } | null;
  figures: DashboardFigure[];
}

export interface Dashboard {
  org: Organisation;
  period: Period;
  previous: Period;
  framework: { id: string; name: string } | null;
  lines: DashboardLine[];
  children: Organisation[];
}

const figureKey = (f: IndicatorValue) => `${f.key}|${f.channel ?? ""}`;

/** Judges each figure and groups them by the commitments of the framework in force (pure). */
export function groupByCommitment(
  current: IndicatorValue[],
  before: IndicatorValue[],
  commitments: Array<{ id: string; number: number | null; title: string }>,
): DashboardLine[] {
  const previousByKey = new Map(before.map((f) => [figureKey(f), f.value]));
  const judged: DashboardFigure[] = current.map((f) => {
    const previous = previousByKey.get(figureKey(f)) ?? null;
    return { ...f, light: trafficLight(f), previous, trend: trend(f.value, previous, f.unit, f.better) };
  });
  const lines: DashboardLine[] = [];
  const placed = new Set<DashboardFigure>();
  for (const c of commitments) {
    const figures = judged.filter((f) => f.commitments.includes(c.id));
    for (const f of figures) placed.add(f);
    lines.push({ commitment: { id: c.id, number: c.number, title: c.title }, figures });
  }
  const rest = judged.filter((f) => !placed.has(f));
  if (rest.length) lines.push({ commitment: null, figures: rest });
  return lines;
}

export async function dashboard(db: Kysely<DB>, orgId: string, period: Period): Promise<Dashboard> {
  const previous = previousPeriod(period);
  const [org, commitments, current, before, tree] = await Promise.all([
    getOrganisation(db, orgId),
    organisationCommitments(db, orgId),
    allIndicators(db, orgId, period),
    allIndicators(db, orgId, previous),
    subtree(db, orgId),
  ]);
  return {
    org,
    period,
    previous,
    framework: commitments.framework ? { id: commitments.framework.id, name: commitments.framework.name } : null,
    lines: groupByCommitment(current, before, commitments.commitments),
    children: tree.filter((o) => o.parentId === orgId).sort((a, b) => a.name.localeCompare(b.name, "fr")),
  };
}

export interface RankedChild {
  org: Organisation;
  figure: DashboardFigure | null;
  rank: number | null;
}

export interface Comparison {
  org: Organisation;
  period: Period;
  key: string;
  label: string;
  /** Every indicator key offered for comparison (all channels together). */
  keys: Array<{ key: string; label: string }>;
  ranking: RankedChild[];
}

/**
 * Drill-down from a node to its children: one figure (all channels together) for each child, ranked best
 * first by the figure's own direction; children without a value come last, unranked.
 */
export async function compareChildren(db: Kysely<DB>, orgId: string, period: Period, key: string | undefined): Promise<Comparison> {
  const previous = previousPeriod(period);
  const [org, tree, own] = await Promise.all([getOrganisation(db, orgId), subtree(db, orgId), allIndicators(db, orgId, period)]);
  const keys = own.filter((f) => !f.channel).map((f) => ({ key: f.key, label: f.label }));
  const chosen = keys.find((k) => k.key === key) ?? keys[0] ?? { key: key ?? "requests.answered_in_time", label: "" };
  const children = tree.filter((o) => o.parentId === orgId);
  const rows = await Promise.all(
    children.map(async (child) => {
      const [now, then] = await Promise.all([allIndicators(db, child.id, period), allIndicators(db, child.id, previous)]);
      const f = now.find((x) => x.key === chosen.key && !x.channel);
      const p = then.find((x) => x.key === chosen.key && !x.channel);
      const figure: DashboardFigure | null = f
        ? { ...f, light: trafficLight(f), previous: p?.value ?? null, trend: trend(f.value, p?.value ?? null, f.unit, f.better) }
        : null;
      return { org: child, figure, rank: null as number | null };
    }),
  );
  const valued = rows.filter((r) => r.figure?.value !== null && r.figure?.value !== undefined);
  const better = valued[0]?.figure?.better ?? "higher";
  valued.sort((a, b) => {
    const d = (a.figure?.value ?? 0) - (b.figure?.value ?? 0);
    return (better === "higher" ? -d : d) || a.org.name.localeCompare(b.org.name, "fr");
  });
  // Equal values share a rank (1, 2, 2, 4).
  valued.forEach((r, i) => {
    const prev = valued[i - 1];
    r.rank = prev && prev.figure?.value === r.figure?.value ? (prev.rank ?? i + 1) : i + 1;
  });
  const unvalued = rows.filter((r) => !valued.includes(r)).sort((a, b) => a.org.name.localeCompare(b.org.name, "fr"));
  return {
    org,
    period,
    key: chosen.key,
    label: chosen.label || (valued[0]?.figure?.label ?? chosen.key),
    keys,
    ranking: [...valued, ...unvalued],
  };
}
