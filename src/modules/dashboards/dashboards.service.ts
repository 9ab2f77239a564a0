import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { CHANNEL_LABELS, type Channel } from "../frameworks/channels.ts";
import { organisationCommitments } from "../frameworks/frameworks.service.ts";
import type { IndicatorUnit, IndicatorValue, OrgScope, Period } from "../indicators/indicator.ts";
import { previousPeriod } from "../indicators/period.ts";
import { allIndicators, indicatorsInScope } from "../indicators/sources.ts";
import { type Light, type Trend, trafficLight, trend } from "../indicators/traffic-light.ts";
import { countInScope, getOrganisation, type Organisation, organisationsInScope } from "../organisations/organisations.service.ts";

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
  /** How many sites the subtree holds, for « comparer tous les sites ». */
  sites: number;
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
  // Every read is of the node's own rollup rows, its children (one level) or a count: the same few
  // queries for a network of 50 sites or 5,000 (issue #13), never the whole subtree.
  const [org, commitments, current, before, children, sites] = await Promise.all([
    getOrganisation(db, orgId),
    organisationCommitments(db, orgId),
    allIndicators(db, orgId, period),
    allIndicators(db, orgId, previous),
    organisationsInScope(db, { of: orgId, depth: "children" }),
    countInScope(db, { of: orgId, depth: "sites" }),
  ]);
  return {
    org,
    period,
    previous,
    framework: commitments.framework ? { id: commitments.framework.id, name: commitments.framework.name } : null,
    // Targets set on the network (or lower) already replace the framework's (allIndicators, issue #14).
    lines: groupByCommitment(current, before, commitments.commitments),
    children: children.sort((a, b) => a.name.localeCompare(b.name, "fr")),
    // A site's own subtree holds only itself: nothing to compare it with.
    sites: org.kind === "site" || org.kind === "service" ? 0 : sites,
  };
}

export interface RankedChild {
  org: Organisation;
  figure: DashboardFigure | null;
  rank: number | null;
}

/** One indicator a comparison can rank by: a key, its channel when it has one, and a French label. */
export interface ComparedIndicator {
  id: string;
  label: string;
  unit: IndicatorUnit;
}

export interface Comparison {
  org: Organisation;
  period: Period;
  depth: OrgScope["depth"];
  /** The indicator ranked. */
  indicator: ComparedIndicator;
  /** Every indicator offered, each channel apart (phone and mystery figures exist only per channel). */
  indicators: ComparedIndicator[];
  ranking: RankedChild[];
  /** Every figure of every organisation compared, for the CSV export. */
  figures: Map<string, Map<string, IndicatorValue>>;
}

/**
 * A stable identifier of a figure across organisations: its key, its channel, and — for the families
 * that repeat a key (staff trained per theme, self-assessment and actions per commitment) — a short
 * digest of what tells them apart, so `?indicator=` picks the same figure in every organisation.
 */
export function comparisonId(f: IndicatorValue): string {
  const base = f.channel ? `${f.key}.${f.channel}` : f.key;
  const detail = createHash("sha256")
    .update(`${f.label}|${f.commitments.join(",")}`)
    .digest("hex")
    .slice(0, 6);
  return `${base}~${detail}`;
}

function comparedLabel(f: IndicatorValue, repeated: boolean): string {
  const channel = f.channel ? ` — ${CHANNEL_LABELS[f.channel as Channel] ?? f.channel}` : "";
  return `${f.label}${channel}${repeated && f.commitments.length ? ` (${f.commitments.join(", ")})` : ""}`;
}

/** The indicators offered, in the order the sources give them, each once. */
function offered(lists: Iterable<IndicatorValue[]>): ComparedIndicator[] {
  const seen = new Map<string, IndicatorValue>();
  for (const list of lists) for (const f of list) if (!seen.has(comparisonId(f))) seen.set(comparisonId(f), f);
  const labels = new Map<string, number>();
  for (const f of seen.values()) {
    const plain = comparedLabel(f, false);
    labels.set(plain, (labels.get(plain) ?? 0) + 1);
  }
  return [...seen].map(([id, f]) => ({ id, label: comparedLabel(f, (labels.get(comparedLabel(f, false)) ?? 0) > 1), unit: f.unit }));
}

/**
 * Comparison at any depth: the children of a node (« structures rattachées ») or every site of its
 * subtree (« tous les sites »), ranked best first by one indicator, with the trend against the period
 * before. Both periods are read through `indicatorsInScope` (grouped reads of the per-level rollups),
 * so the cost does not depend on how many organisations are compared. Children without a value come
 * last, unranked.
 */
export async function compareScope(
  db: Kysely<DB>,
  orgId: string,
  period: Period,
  depth: OrgScope["depth"],
  wanted: string | undefined,
): Promise<Comparison> {
  const previous = previousPeriod(period);
  const scope: OrgScope = { of: orgId, depth };
  const [org, members, own, now, then] = await Promise.all([
    getOrganisation(db, orgId),
    organisationsInScope(db, scope),
    allIndicators(db, orgId, period),
    indicatorsInScope(db, scope, period),
    indicatorsInScope(db, scope, previous),
  ]);
  // The node's own figures give the order; a figure only some children have is offered too.
  const indicators = offered([own, ...now.values()]);
  const indicator = indicators.find((k) => k.id === wanted) ??
    // An old link names the key alone (`requests.answered_in_time`): the first figure of that key.
    indicators.find((k) => wanted && k.id.split("~")[0] === wanted) ??
    indicators[0] ?? { id: wanted ?? "requests.answered_in_time", label: "Aucun indicateur", unit: "share" };
  const byId = (list: IndicatorValue[] | undefined) => new Map((list ?? []).map((f) => [comparisonId(f), f] as const));
  const figures = new Map(members.map((m) => [m.id, byId(now.get(m.id))]));
  const rows: RankedChild[] = members.map((member) => {
    const f = figures.get(member.id)?.get(indicator.id);
    const p = then.get(member.id)?.find((x) => comparisonId(x) === indicator.id);
    const figure: DashboardFigure | null = f
      ? { ...f, light: trafficLight(f), previous: p?.value ?? null, trend: trend(f.value, p?.value ?? null, f.unit, f.better) }
      : null;
    return { org: member, figure, rank: null };
  });
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
  return { org, period, depth, indicator, indicators, ranking: [...valued, ...unvalued], figures };
}
