import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import { inScopeSql, organisationPlacesSql, scopeIds, sitesByName } from "../organisations/organisations.service.ts";
import type { ExperienceInput, JdmaCount } from "./national.ts";

export interface SiteRow {
  id: string;
  name: string;
  path: string[];
}

/** Every site under `root`, by name: one query. */
export function sitesUnder(db: Kysely<DB>, root: string): Promise<SiteRow[]> {
  return sitesByName(db, root);
}

export async function reviewsSignedIn(db: Kysely<DB>, root: string, year: number): Promise<string[]> {
  const rows = await db
    .selectFrom("annual_review_signoffs")
    .select("org_id")
    .where(inScopeSql("org_id", { of: root, depth: "sites" }))
    .where("year", "=", year)
    .execute();
  return rows.map((r) => r.org_id);
}

export async function reviewSignedBy(db: Kysely<DB>, orgId: string, year: number): Promise<boolean> {
  const row = await db
    .selectFrom("annual_review_signoffs")
    .select("org_id")
    .where("org_id", "=", orgId)
    .where("year", "=", year)
    .executeTakeFirst();
  return row !== undefined;
}

export async function signReview(db: Kysely<DB>, orgId: string, year: number, label: string): Promise<boolean> {
  const row = await db
    .insertInto("annual_review_signoffs")
    .values({ org_id: orgId, year, signed_by_label: label })
    .onConflict((oc) => oc.columns(["org_id", "year"]).doNothing())
    .returning("org_id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertReminder(db: Kysely<DB>, orgId: string, year: number, obligation: string, outboxIds: string[]): Promise<void> {
  await db.insertInto("obligation_reminders").values({ org_id: orgId, year, obligation, outbox_ids: outboxIds }).execute();
}

export async function lastReminders(db: Kysely<DB>, orgId: string, year: number) {
  return db
    .selectFrom("obligation_reminders")
    .select(["obligation", "sent_at", "outbox_ids"])
    .where("org_id", "=", orgId)
    .where("year", "=", year)
    .orderBy("sent_at", "desc")
    .limit(20)
    .execute();
}

/** Targets set on each node of `path` (root first), for the nearest-wins rule. */
export async function targetsOnPath(db: Kysely<DB>, path: string[]) {
  return db
    .selectFrom("org_targets")
    .select(["org_id", "indicator_key", "value"])
    .where(sql<boolean>`org_id = any(${sql.val(path)}::uuid[])`)
    .execute();
}

/**
 * The targets in force for one organisation or those of a scope: for each organisation and indicator,
 * the target set on the nearest node of its path (organisations lend the paths). One statement, whatever
 * the number of organisations.
 */
export async function nearestTargets(db: Kysely<DB>, which: ScopeOrOne) {
  const { rows } = await sql<{ org_id: string; indicator_key: string; value: number | string }>`
    select distinct on (o.id, t.indicator_key) o.id as org_id, t.indicator_key, t.value
    from ${organisationPlacesSql()} o join org_targets t on t.org_id = any(o.path)
    where o.id in (${scopeRoots(db, which)})
    order by o.id, t.indicator_key, array_position(o.path, t.org_id) desc`.execute(db);
  return rows.map((r) => ({ orgId: r.org_id, key: r.indicator_key, value: Number(r.value) }));
}

export async function setTarget(db: Kysely<DB>, orgId: string, key: string, value: number | null): Promise<void> {
  const t = db;
  if (value === null) {
    await t.deleteFrom("org_targets").where("org_id", "=", orgId).where("indicator_key", "=", key).execute();
    return;
  }
  await t
    .insertInto("org_targets")
    .values({ org_id: orgId, indicator_key: key, value })
    .onConflict((oc) => oc.columns(["org_id", "indicator_key"]).doUpdateSet({ value, updated_at: new Date() }))
    .execute();
}

/** Imports user stories; one already imported (same source and id) is left as it is. Returns how many were new. */
export async function insertFeedback(db: Kysely<DB>, orgId: string, rows: ExperienceInput[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insertInto("feedback")
    .values(
      rows.map((r) => ({
        org_id: orgId,
        source: "experiences",
        external_id: r.externalId,
        written_on: r.writtenOn,
        sentiment: r.sentiment,
        body: r.body,
        national_reply: r.nationalReply,
      })),
    )
    .onConflict((oc) => oc.columns(["org_id", "source", "external_id"]).doNothing())
    .returning("id")
    .execute();
  return inserted.length;
}

export interface FeedbackRow {
  id: string;
  source: string;
  externalId: string;
  writtenOn: string;
  sentiment: string | null;
  body: string;
  nationalReply: string | null;
  publicReply: string | null;
  repliedAt: Date | null;
  repliedByLabel: string | null;
  /** The action of the plan the story led to, if any. */
  actionId: string | null;
}

const feedbackColumns = [
  "id",
  "source",
  "external_id as externalId",
  "written_on as writtenOn",
  "sentiment",
  "body",
  "national_reply as nationalReply",
  "public_reply as publicReply",
  "replied_at as repliedAt",
  "replied_by_label as repliedByLabel",
  "action_id as actionId",
] as const;

export async function listFeedback(
  db: Kysely<DB>,
  orgId: string,
  options: { repliedOnly?: boolean; limit: number },
): Promise<FeedbackRow[]> {
  let q = db.selectFrom("feedback").select(feedbackColumns).where("org_id", "=", orgId);
  if (options.repliedOnly) q = q.where("public_reply", "is not", null);
  return (await q.orderBy("written_on", "desc").orderBy("id").limit(options.limit).execute()) as FeedbackRow[];
}

export async function findFeedback(db: Kysely<DB>, orgId: string, id: string): Promise<FeedbackRow | undefined> {
  return (await db.selectFrom("feedback").select(feedbackColumns).where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst()) as
    | FeedbackRow
    | undefined;
}

export async function writeReply(db: Kysely<DB>, orgId: string, id: string, reply: string, label: string): Promise<void> {
  await db
    .updateTable("feedback")
    .set({ public_reply: reply, replied_at: new Date(), replied_by_label: label })
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .execute();
}

/** Links a story to the action it led to, unless it already has one: false when it had. */
export async function linkAction(db: Kysely<DB>, orgId: string, id: string, actionId: string): Promise<boolean> {
  const result = await db
    .updateTable("feedback")
    .set({ action_id: actionId })
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("action_id", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function feedbackCounts(db: Kysely<DB>, orgId: string, year: number, withinDays: number) {
  const row = await db
    .selectFrom("feedback")
    .select([
      sql<number>`count(*)::int`.as("received"),
      sql<number>`count(*) filter (where replied_at is not null)::int`.as("answered"),
      sql<number>`count(*) filter (where replied_at is not null and replied_at::date <= written_on + ${withinDays}::int)::int`.as(
        "answeredInTime",
      ),
      sql<number>`count(*) filter (where action_id is not null)::int`.as("actions"),
    ])
    .where("org_id", "=", orgId)
    .where("written_on", ">=", `${year}-01-01`)
    .where("written_on", "<=", `${year}-12-31`)
    .executeTakeFirstOrThrow();
  return row;
}

export interface FeedbackFigures {
  org_id: string;
  received: number;
  answered_in_time: number;
  actions: number;
}

/** One organisation, or those of a scope. */
type ScopeOrOne = { of: string; depth: "children" | "sites" } | { only: string };

/** The ids of one organisation or of a scope's organisations (organisations' subquery, never an id list). */
function scopeRoots(db: Kysely<DB>, scope: ScopeOrOne) {
  return "only" in scope ? sql`select ${scope.only}::uuid as id` : sql`${scopeIds(db, scope)}`;
}

/*
 * The feedback figures of each organisation of `scopeIds` over its whole subtree, in one grouped read.
 * Feedback is imported stories (hundreds a year per site at most), so it is read from its own rows
 * through the (org_id, written_on) index rather than from a rollup.
 */
export async function feedbackFigures(
  db: Kysely<DB>,
  scope: ScopeOrOne,
  from: string,
  to: string,
  withinDays: number,
): Promise<FeedbackFigures[]> {
  const { rows } = await sql<FeedbackFigures>`
    select r.id as org_id,
      count(*)::int as received,
      count(*) filter (where f.replied_at is not null and f.replied_at::date <= f.written_on + ${withinDays}::int)::int as answered_in_time,
      count(*) filter (where f.action_id is not null)::int as actions
    from (${scopeRoots(db, scope)}) r
    join ${organisationPlacesSql()} o on o.path && array[r.id]
    join feedback f on f.org_id = o.id
    where f.written_on between ${from}::date and ${to}::date
    group by r.id`.execute(db);
  return rows;
}

/** Stores « Je donne mon avis » counts; the same procedure, period and question imported again replaces its counts. */
export async function upsertJdma(db: Kysely<DB>, orgId: string, rows: JdmaCount[]): Promise<void> {
  const t = db;
  for (let i = 0; i < rows.length; i += 1000) {
    await t
      .insertInto("jdma_statistics")
      .values(
        rows.slice(i, i + 1000).map((r) => ({
          org_id: orgId,
          product_id: r.productId,
          product_name: r.productName,
          period_start: r.periodStart,
          period_length: r.periodLength,
          field_code: r.fieldCode,
          good: r.good,
          medium: r.medium,
          bad: r.bad,
        })),
      )
      .onConflict((oc) =>
        oc.columns(["org_id", "product_id", "period_start", "field_code"]).doUpdateSet((eb) => ({
          product_name: eb.ref("excluded.product_name"),
          period_length: eb.ref("excluded.period_length"),
          good: eb.ref("excluded.good"),
          medium: eb.ref("excluded.medium"),
          bad: eb.ref("excluded.bad"),
          imported_at: sql`now()`,
        })),
      )
      .execute();
  }
}

export interface JdmaFigures {
  org_id: string;
  good: number;
  medium: number;
  bad: number;
}

/**
 * The « Je donne mon avis » satisfaction answers of each organisation of a scope over its subtree, for
 * the periods that start within [from, to]: one grouped read, like the feedback figures.
 */
export async function jdmaFigures(db: Kysely<DB>, scope: ScopeOrOne, from: string, to: string): Promise<JdmaFigures[]> {
  const { rows } = await sql<JdmaFigures>`
    select r.id as org_id, sum(j.good)::int as good, sum(j.medium)::int as medium, sum(j.bad)::int as bad
    from (${scopeRoots(db, scope)}) r
    join ${organisationPlacesSql()} o on o.path && array[r.id]
    join jdma_statistics j on j.org_id = o.id
    where j.field_code = 'satisfaction' and j.period_start between ${from}::date and ${to}::date
    group by r.id`.execute(db);
  return rows;
}

/** The satisfaction answers of one organisation's own procedures in a year, procedure by procedure. */
export async function jdmaByProduct(db: Kysely<DB>, orgId: string, from: string, to: string) {
  return db
    .selectFrom("jdma_statistics")
    .select((eb) => [
      "product_id as productId",
      eb.fn.max("product_name").as("productName"),
      sql<number>`sum(good)::int`.as("good"),
      sql<number>`sum(medium)::int`.as("medium"),
      sql<number>`sum(bad)::int`.as("bad"),
      sql<string>`min(period_start)::text`.as("first"),
      sql<string>`max(period_start)::text`.as("last"),
      // A procedure's counts come at one length (the interval asked of the API); several would read « mixed ».
      sql<string>`case when count(distinct period_length) = 1 then max(period_length) else 'mixed' end`.as("length"),
    ])
    .where("org_id", "=", orgId)
    .where("field_code", "=", "satisfaction")
    .where("period_start", ">=", from)
    .where("period_start", "<=", to)
    .groupBy("product_id")
    .orderBy("product_id")
    .execute();
}
