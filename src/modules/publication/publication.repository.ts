import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { IndicatorUnit, IndicatorValue } from "../indicators/indicator.ts";
import { jobProgress } from "../jobs/jobs.service.ts";
import { organisationChildren, organisationPlacesSql, subtreeByName } from "../organisations/organisations.service.ts";

/** Kysely queries of published figures; every function takes the organisation id first. */
export interface PublishedFigure {
  orgId: string;
  periodFrom: string;
  periodTo: string;
  key: string;
  channel: string | null;
  label: string;
  unit: IndicatorUnit;
  better: "higher" | "lower";
  value: number | null;
  low: number | null;
  high: number | null;
  target: number | null;
  sample: number;
  commitments: string[];
  computedAt: Date;
}

type Row = {
  org_id: string;
  period_from: string;
  period_to: string;
  indicator_key: string;
  channel: string;
  label: string;
  unit: string;
  better: string;
  value: number | null;
  low: number | null;
  high: number | null;
  target: number | null;
  sample: number;
  commitments: unknown;
  computed_at: Date;
};

// Both engines hand double precision back as numbers; pg gives numeric/bigint as text, hence Number().
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toFigure(r: Row): PublishedFigure {
  return {
    orgId: r.org_id,
    periodFrom: r.period_from,
    periodTo: r.period_to,
    key: r.indicator_key,
    channel: r.channel === "" ? null : r.channel,
    label: r.label,
    unit: r.unit as IndicatorUnit,
    better: r.better === "lower" ? "lower" : "higher",
    value: num(r.value),
    low: num(r.low),
    high: num(r.high),
    target: num(r.target),
    sample: Number(r.sample),
    commitments: Array.isArray(r.commitments) ? r.commitments.map(String) : [],
    computedAt: r.computed_at,
  };
}

/** Replaces an organisation's figures for one period: a figure a source stopped giving disappears too. */
export async function replaceFigures(
  db: Kysely<DB>,
  orgId: string,
  period: { from: string; to: string },
  figures: IndicatorValue[],
  computedAt: Date,
): Promise<void> {
  const pdb = db;
  await pdb.deleteFrom("published_figures").where("org_id", "=", orgId).where("period_from", "=", period.from).execute();
  // One row per key and channel: a source listing the same pair twice keeps its first.
  const seen = new Set<string>();
  const rows = figures
    .filter((f) => {
      const k = `${f.key}|${f.channel ?? ""}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .map((f) => ({
      org_id: orgId,
      period_from: period.from,
      period_to: period.to,
      indicator_key: f.key,
      channel: f.channel ?? "",
      label: f.label,
      unit: f.unit,
      better: f.better,
      value: f.value,
      low: f.low ?? null,
      high: f.high ?? null,
      target: f.target,
      sample: f.sample,
      commitments: JSON.stringify(f.commitments),
      computed_at: computedAt,
    }));
  if (rows.length) await pdb.insertInto("published_figures").values(rows).execute();
}

/** An organisation's published figures, latest period first: a primary-key range read. */
export async function figuresOf(db: Kysely<DB>, orgId: string): Promise<PublishedFigure[]> {
  const rows = await db
    .selectFrom("published_figures")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy("period_from", "desc")
    .orderBy("indicator_key")
    .orderBy("channel")
    .execute();
  return rows.map(toFigure);
}

export interface OrgFigure extends PublishedFigure {
  orgName: string;
  orgKind: string;
  siret: string | null;
  parentId: string | null;
}

/**
 * Every published figure of a subtree, for open data: organisation by organisation (by name), latest
 * period first. Reads the tree (a small reference table) for names and SIRET.
 */
export async function* figuresOfSubtree(db: Kysely<DB>, rootId: string, batch = 500): AsyncGenerator<OrgFigure[]> {
  const pdb = db;
  const orgs = await subtreeByName(pdb, rootId);
  for (let i = 0; i < orgs.length; i += batch) {
    const slice = orgs.slice(i, i + batch);
    const rows = await pdb
      .selectFrom("published_figures")
      .selectAll()
      .where(
        "org_id",
        "in",
        slice.map((o) => o.id),
      )
      .orderBy("period_from", "desc")
      .orderBy("indicator_key")
      .orderBy("channel")
      .execute();
    const byOrg = new Map<string, PublishedFigure[]>();
    for (const f of rows.map(toFigure)) byOrg.set(f.orgId, [...(byOrg.get(f.orgId) ?? []), f]);
    const out: OrgFigure[] = [];
    for (const o of slice) {
      for (const f of byOrg.get(o.id) ?? []) out.push({ ...f, orgName: o.name, orgKind: o.kind, siret: o.siret, parentId: o.parent_id });
    }
    yield out;
  }
}

/** The direct children of an organisation, by name (the public page of a network links to them). */
export const childrenOf = organisationChildren;

// ---- What changed, what was published, and the runs (migration 0019) ----

export interface DueScope {
  rootId: string | null;
  force: boolean;
  month: string;
}

/**
 * Which due organisations a chunk publishes: the children of some parents (`null` names the roots), an id
 * range (the payload of a chunk job enqueued before sibling chunks, still honoured), or all in scope.
 */
export type ChunkSelection = { parents: Array<string | null> } | { after: string | null; upTo: string | null } | null;

/**
 * The organisations a run publishes, as one statement: in scope (a subtree by its path index, or all),
 * and due — changed since their last publication, never published, or published in an earlier month —
 * unless forced. `mark` is their change mark as read now; `monthly` says it is due without one. The
 * organisations (parent, path) are those organisations lends as places, walked in this one statement.
 */
function dueQuery(scope: DueScope, selection: ChunkSelection) {
  const root = scope.rootId ? sql`and o.path && ${sql.val([scope.rootId])}::uuid[]` : sql``;
  const due = scope.force ? sql`` : sql`and (d.org_id is not null or s.org_id is null or s.published_month < ${scope.month})`;
  let chosen = sql``;
  if (selection && "parents" in selection) {
    const ids = selection.parents.filter((p): p is string => p !== null);
    const roots = selection.parents.includes(null) ? sql`or o.parent_id is null` : sql``;
    chosen = sql`and (o.parent_id = any(${sql.val(ids)}::uuid[]) ${roots})`;
  } else if (selection) {
    const after = selection.after ? sql`and o.id > ${selection.after}::uuid` : sql``;
    const upTo = selection.upTo ? sql`and o.id <= ${selection.upTo}::uuid` : sql``;
    chosen = sql`${after} ${upTo}`;
  }
  return sql`
    select o.id, o.parent_id, d.mark::text as mark, d.org_id is null as monthly
    from ${organisationPlacesSql()} o
    left join lateral (
      -- An organisation's marks are appended (migration 0033): its highest one, through (org_id, mark).
      select m.org_id, m.mark from publication_dirty m where m.org_id = o.id order by m.mark desc limit 1
    ) d on true
    left join publication_state s on s.org_id = o.id
    where true ${root} ${due} ${chosen}`;
}

export interface DueOrganisation {
  id: string;
  parentId: string | null;
  mark: string | null;
}

export async function dueOrganisations(db: Kysely<DB>, scope: DueScope, selection: ChunkSelection): Promise<DueOrganisation[]> {
  const { rows } = await sql<{ id: string; parent_id: string | null; mark: string | null }>`
    ${dueQuery(scope, selection)} order by o.parent_id, o.id`.execute(db);
  return rows.map((r) => ({
    id: String(r.id),
    parentId: r.parent_id === null ? null : String(r.parent_id),
    mark: r.mark === null ? null : String(r.mark),
  }));
}

/**
 * The due organisations counted by parent (`null`: the roots), in parent order, with whether some are due
 * without a change mark (the month rolled over, or never published). One grouped read: its rows are the
 * parents, not the organisations, so a network of 50,000 sites under a hundred departments gives a hundred.
 */
export async function dueByParent(
  db: Kysely<DB>,
  scope: DueScope,
): Promise<{ groups: Array<{ parent: string | null; due: number }>; monthly: boolean }> {
  const { rows } = await sql<{ parent: string | null; due: number; monthly: boolean }>`
    select c.parent_id::text as parent, count(*)::int as due, bool_or(c.monthly) as monthly
    from (${dueQuery(scope, null)}) c
    group by c.parent_id
    order by c.parent_id nulls last`.execute(db);
  return {
    groups: rows.map((r) => ({ parent: r.parent === null ? null : String(r.parent), due: Number(r.due) })),
    monthly: rows.some((r) => r.monthly === true),
  };
}

/** Records that an organisation was just published (and locks its state row for the rest of the transaction). */
export async function markPublished(db: Kysely<DB>, orgId: string, month: string, at: Date): Promise<void> {
  await db
    .insertInto("publication_state")
    .values({ org_id: orgId, published_at: at, published_month: month })
    .onConflict((oc) => oc.column("org_id").doUpdateSet({ published_at: at, published_month: month }))
    .execute();
}

/** Removes an organisation's change marks up to the one read: a mark appended since stays, for the next run. */
export async function clearMark(db: Kysely<DB>, orgId: string, mark: string): Promise<void> {
  await db.deleteFrom("publication_dirty").where("org_id", "=", orgId).where("mark", "<=", sql<string>`${mark}::bigint`).execute();
}

export async function stateOf(db: Kysely<DB>, orgId: string): Promise<{ publishedAt: Date; month: string } | null> {
  const row = await db
    .selectFrom("publication_state")
    .select(["published_at", "published_month"])
    .where("org_id", "=", orgId)
    .executeTakeFirst();
  return row ? { publishedAt: new Date(row.published_at), month: row.published_month } : null;
}

export async function isMarked(db: Kysely<DB>, orgId: string): Promise<boolean> {
  const row = await db.selectFrom("publication_dirty").select("org_id").where("org_id", "=", orgId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function insertRun(
  db: Kysely<DB>,
  run: { rootId: string | null; month: string; reason: "changes" | "month" | "asked"; organisations: number; chunks: number; at: Date },
): Promise<string> {
  const row = await db
    .insertInto("publication_runs")
    .values({
      started_at: run.at,
      root_id: run.rootId,
      month: run.month,
      reason: run.reason,
      organisations: run.organisations,
      chunks: run.chunks,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** The latest run covering an organisation: the whole instance, or a subtree holding it (`path` is its ancestors and itself). */
export async function latestRun(db: Kysely<DB>, path: string[]) {
  const row = await db
    .selectFrom("publication_runs")
    .select(["id", "started_at", "organisations", "chunks"])
    .where((eb) => eb.or([eb("root_id", "is", null), eb("root_id", "=", sql<string>`any(${sql.val(path)}::uuid[])`)]))
    .orderBy("started_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? { id: String(row.id), startedAt: new Date(row.started_at), organisations: row.organisations, chunks: row.chunks } : null;
}

/** How many of these chunk jobs are done, and how many the queue gave up on (the jobs module counts them). */
export const chunkProgress = jobProgress;

/** The size of a subtree, counted up to `cap` only (the organisations module counts it). */
export { subtreeSize } from "../organisations/organisations.service.ts";

/**
 * The organisations among `ids` whose results were published during the year (the nightly run or
 * « Publier maintenant »), with figures to show: one query.
 */
export async function publishedIn(db: Kysely<DB>, ids: string[], year: number): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("publication_state")
    .select("org_id")
    .where(sql<boolean>`org_id = any(${sql.val(ids)}::uuid[])`)
    .where("published_at", ">=", new Date(Date.UTC(year, 0, 1)))
    .where("published_at", "<", new Date(Date.UTC(year + 1, 0, 1)))
    .where(({ exists, selectFrom }) =>
      exists(selectFrom("published_figures as f").select("f.org_id").whereRef("f.org_id", "=", "publication_state.org_id")),
    )
    .execute();
  return rows.map((r) => r.org_id);
}
