import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { IndicatorUnit, IndicatorValue } from "../indicators/indicator.ts";
import { publicationDb } from "./publication.tables.ts";

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
  const pdb = publicationDb(db);
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
  const rows = await publicationDb(db)
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
  const pdb = publicationDb(db);
  const orgs = await pdb
    .selectFrom("organisations")
    .select(["id", "name", "kind", "siret", "parent_id"])
    .where(sql<boolean>`path && ${sql.val([rootId])}::uuid[]`)
    .orderBy("name")
    .orderBy("id")
    .execute();
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
export async function childrenOf(db: Kysely<DB>, orgId: string): Promise<Array<{ id: string; name: string; kind: string }>> {
  return publicationDb(db)
    .selectFrom("organisations")
    .select(["id", "name", "kind"])
    .where("parent_id", "=", orgId)
    .orderBy("name")
    .execute();
}

// ---- What changed, what was published, and the runs (migration 0019) ----

export interface DueScope {
  rootId: string | null;
  force: boolean;
  month: string;
}

/**
 * The organisations a run publishes, as one statement: in scope (a subtree by its path index, or all),
 * and due — changed since their last publication, never published, or published in an earlier month —
 * unless forced. `mark` is their change mark as read now; `monthly` says it is due without one.
 */
function dueQuery(scope: DueScope, range: { after: string | null; upTo: string | null }) {
  const root = scope.rootId ? sql`and o.path && ${sql.val([scope.rootId])}::uuid[]` : sql``;
  const due = scope.force ? sql`` : sql`and (d.org_id is not null or s.org_id is null or s.published_month < ${scope.month})`;
  const after = range.after ? sql`and o.id > ${range.after}::uuid` : sql``;
  const upTo = range.upTo ? sql`and o.id <= ${range.upTo}::uuid` : sql``;
  return sql`
    select o.id, d.mark::text as mark, d.org_id is null as monthly
    from organisations o
    left join publication_dirty d on d.org_id = o.id
    left join publication_state s on s.org_id = o.id
    where true ${root} ${due} ${after} ${upTo}`;
}

export async function dueOrganisations(
  db: Kysely<DB>,
  scope: DueScope,
  range: { after: string | null; upTo: string | null },
): Promise<Array<{ id: string; mark: string | null }>> {
  const { rows } = await sql<{ id: string; mark: string | null }>`${dueQuery(scope, range)} order by o.id`.execute(db);
  return rows.map((r) => ({ id: String(r.id), mark: r.mark === null ? null : String(r.mark) }));
}

/**
 * The last id of every chunk of `size` due organisations, in id order (keyset bounds: a chunk is the ids
 * after the previous bound up to its own), with how many are due and whether some are due without a
 * change mark (the month rolled over, or never published).
 */
export async function chunkBounds(
  db: Kysely<DB>,
  scope: DueScope,
  size: number,
): Promise<{ bounds: string[]; total: number; monthly: boolean }> {
  const { rows } = await sql<{ id: string; total: number; monthly: boolean }>`
    select x.id::text as id, x.total::int as total, x.monthly
    from (
      select c.id, row_number() over (order by c.id) as n, count(*) over () as total, bool_or(c.monthly) over () as monthly
      from (${dueQuery(scope, { after: null, upTo: null })}) c
    ) x
    where x.n % ${size} = 0 or x.n = x.total
    order by x.id`.execute(db);
  return { bounds: rows.map((r) => r.id), total: Number(rows[0]?.total ?? 0), monthly: rows.some((r) => r.monthly === true) };
}

/** Records that an organisation was just published (and locks its state row for the rest of the transaction). */
export async function markPublished(db: Kysely<DB>, orgId: string, month: string, at: Date): Promise<void> {
  await publicationDb(db)
    .insertInto("publication_state")
    .values({ org_id: orgId, published_at: at, published_month: month })
    .onConflict((oc) => oc.column("org_id").doUpdateSet({ published_at: at, published_month: month }))
    .execute();
}

/** Removes a change mark unless a rollup write renumbered it since it was read. */
export async function clearMark(db: Kysely<DB>, orgId: string, mark: string): Promise<void> {
  await sql`delete from publication_dirty where org_id = ${orgId} and mark = ${mark}::bigint`.execute(db);
}

export async function stateOf(db: Kysely<DB>, orgId: string): Promise<{ publishedAt: Date; month: string } | null> {
  const row = await publicationDb(db)
    .selectFrom("publication_state")
    .select(["published_at", "published_month"])
    .where("org_id", "=", orgId)
    .executeTakeFirst();
  return row ? { publishedAt: new Date(row.published_at), month: row.published_month } : null;
}

export async function isMarked(db: Kysely<DB>, orgId: string): Promise<boolean> {
  const row = await publicationDb(db).selectFrom("publication_dirty").select("org_id").where("org_id", "=", orgId).executeTakeFirst();
  return row !== undefined;
}

export async function insertRun(
  db: Kysely<DB>,
  run: { rootId: string | null; month: string; reason: "changes" | "month" | "asked"; organisations: number; chunks: number; at: Date },
): Promise<string> {
  const row = await publicationDb(db)
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
  const row = await publicationDb(db)
    .selectFrom("publication_runs")
    .select(["id", "started_at", "organisations", "chunks"])
    .where((eb) => eb.or([eb("root_id", "is", null), eb("root_id", "=", sql<string>`any(${sql.val(path)}::uuid[])`)]))
    .orderBy("started_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? { id: String(row.id), startedAt: new Date(row.started_at), organisations: row.organisations, chunks: row.chunks } : null;
}

/** How many of these chunk jobs are done, and how many the queue gave up on. */
export async function chunkProgress(db: Kysely<DB>, keys: string[]): Promise<{ done: number; failed: number }> {
  if (keys.length === 0) return { done: 0, failed: 0 };
  const { rows } = await sql<{ done: number; failed: number }>`
    select count(*) filter (where done_at is not null)::int as done,
           count(*) filter (where done_at is null and attempts >= max_attempts)::int as failed
    from jobs where dedupe_key = any(${sql.val(keys)}::text[])`.execute(db);
  return { done: Number(rows[0]?.done ?? 0), failed: Number(rows[0]?.failed ?? 0) };
}

/** The size of a subtree, counted up to `cap` only. */
export async function subtreeSize(db: Kysely<DB>, rootId: string, cap: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from (select 1 from organisations where path && ${sql.val([rootId])}::uuid[] limit ${cap}) x`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
