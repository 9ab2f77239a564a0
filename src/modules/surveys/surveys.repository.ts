import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import { drain } from "../../kernel/batches.ts";
import type { HitCounter } from "../../kernel/rate-limit.ts";
import type { OrgScope } from "../indicators/indicator.ts";
import { inScopeSql, inSubtreeSql, organisationNameSql } from "../organisations/organisations.service.ts";
import type { Answers } from "./answers.ts";
import type { ResponseCounts } from "./rollup.ts";

/** Kysely queries of surveys; every function takes the organisation id first. */
export interface SurveyRow {
  orgId: string;
  id: string;
  title: string;
  channel: string | null;
  template: string;
  status: string;
  createdAt: Date;
  /** The version new responses are recorded against. */
  version: number;
  definition: unknown;
  responses: number;
}

export async function insertSurvey(
  db: Kysely<DB>,
  orgId: string,
  input: { title: string; channel: string | null; template: string; definition: unknown },
): Promise<string> {
  const sdb = db;
  const { id } = await sdb
    .insertInto("surveys")
    .values({ org_id: orgId, title: input.title, channel: input.channel, template: input.template })
    .returning("id")
    .executeTakeFirstOrThrow();
  await sdb
    .insertInto("survey_versions")
    .values({ org_id: orgId, survey_id: id, version: 1, definition: JSON.stringify(input.definition) })
    .execute();
  return id;
}

function surveysQuery(db: Kysely<DB>, orgId: string) {
  const sdb = db;
  return sdb
    .selectFrom("surveys as s")
    .innerJoin("survey_versions as v", (j) => j.onRef("v.org_id", "=", "s.org_id").onRef("v.survey_id", "=", "s.id"))
    .where("s.org_id", "=", orgId)
    .where("v.version", "=", (eb) =>
      eb
        .selectFrom("survey_versions as last")
        .select((e) => e.fn.max("last.version").as("m"))
        .whereRef("last.org_id", "=", "s.org_id")
        .whereRef("last.survey_id", "=", "s.id"),
    )
    .select([
      "s.org_id",
      "s.id",
      "s.title",
      "s.channel",
      "s.template",
      "s.status",
      "s.created_at",
      "v.version",
      "v.definition",
      // Read from the rollup and the answers still waiting to be folded into it (0040), not by counting every response.
      sql<string>`(
        coalesce((select sum(a.responses) from survey_answer_rollup a where a.org_id = s.org_id and a.survey_id = s.id), 0)
        + (select count(*) from survey_pending_counts p where p.org_id = s.org_id and p.survey_id = s.id)
      )`.as("responses"),
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof surveysQuery>["executeTakeFirstOrThrow"]>>;

function toRow(r: Row): SurveyRow {
  return {
    orgId: r.org_id,
    id: r.id,
    title: r.title,
    channel: r.channel,
    template: r.template,
    status: r.status,
    createdAt: r.created_at,
    version: r.version,
    definition: r.definition,
    responses: Number(r.responses ?? 0),
  };
}

export async function listSurveys(db: Kysely<DB>, orgId: string): Promise<SurveyRow[]> {
  const rows = await surveysQuery(db, orgId).orderBy("s.created_at", "desc").execute();
  return rows.map(toRow);
}

export async function findSurvey(db: Kysely<DB>, orgId: string, surveyId: string): Promise<SurveyRow | undefined> {
  const row = await surveysQuery(db, orgId).where("s.id", "=", surveyId).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export interface ResponseInsert {
  surveyId: string;
  version: number;
  channel: string;
  answeredOn: string;
  answers: Answers;
  formTokenHash: string;
  siteId: string;
  /** The site and its ancestors: every one of them counts the answer. */
  sitePath: string[];
  via: "link" | "kiosk" | "invitation" | "api";
  /** Hash of the invitation token: the answer is stored only if the invitation is still unused. */
  invitationHash: string | null;
  counts: ResponseCounts;
  /** Free-text questions answered: each comment waits for moderation before it can be published. */
  comments: string[];
}

/** The rate limit checked in the same statement (see kernel/rate-limit.ts for the rule). */
export interface RateCheck {
  bucket: string;
  keyHash: string;
  since: Date;
  now: Date;
  max: number;
  /** The address's counter (kernel/rate-limit.ts `hitCounter`), counted first; none for the kiosk. */
  hit?: HitCounter | undefined;
}

/**
 * One call, one commit (the function `survey_record_response`, migrations 0007 and 0037): the limits
 * per address and per browser counted and recorded, the invitation marked used, the response, its counts waiting to be folded
 * into the rollups, its comments to moderate. Nothing is written when the source is over its limit,
 * and a second post of the same form adds nothing.
 */
export async function insertResponse(
  db: Kysely<DB>,
  orgId: string,
  input: ResponseInsert,
  rate: RateCheck,
  /** The settings epoch the caller read its settings at: nothing is written (`stale`) unless it is the current one. */
  settingsEpoch?: string,
): Promise<{ limited: boolean; recorded: boolean; invited: boolean; stale: boolean }> {
  const m = input.counts.measures;
  const result = await sql<{ limited: boolean; recorded: boolean; invited: boolean; stale: boolean }>`
    select * from survey_record_response(
      ${orgId}, ${input.surveyId}, ${input.version}, ${input.channel}, ${input.answeredOn}::date, ${JSON.stringify(input.answers)}::jsonb,
      ${input.formTokenHash}, ${input.siteId}, ${input.via}, ${input.invitationHash}, ${input.sitePath}::uuid[],
      ${input.counts.answers.map((a) => a.questionId)}::text[], ${input.counts.answers.map((a) => a.value)}::text[],
      ${m.map((x) => x.measure)}::text[], ${m.map((x) => x.satisfied)}::int[], ${m.map((x) => x.neutral)}::int[],
      ${m.map((x) => x.dissatisfied)}::int[], ${m.map((x) => x.rated8)}::int[], ${input.comments}::text[],
      ${rate.bucket}, ${rate.keyHash}, ${rate.since}, ${rate.now}, ${rate.max},
      ${rate.hit?.bucket ?? null}, ${rate.hit?.keyHash ?? null}, ${rate.hit?.windowStart ?? null}::timestamptz, ${rate.hit?.max ?? null}::int,
      ${settingsEpoch ?? null}::text
    )
  `.execute(db);
  const row = result.rows[0];
  return { limited: row?.limited ?? false, recorded: row?.recorded ?? false, invited: row?.invited ?? false, stale: row?.stale ?? false };
}

/** Responses folded into the rollups per statement: bounded, so a long backlog never holds one huge transaction. */
const FOLD_BATCH = 20_000;

/**
 * Folds waiting counts into both rollups: one grouped upsert per rollup row, whatever the number of
 * answers. Nothing is counted twice: the batch is deleted in the statement that adds it. Called before
 * every read of the rollups; a reader waits for a fold already under way, whose answers are in neither
 * table until it commits (FOR UPDATE, not SKIP LOCKED: see foldPendingRollups). Found through the primary
 * key, deleted by row address (see foldPendingRollups: dead rows are not read again and again).
 */
export function foldPendingCounts(db: Kysely<DB>): Promise<number> {
  return drain(FOLD_BATCH, async () => {
    const result = await sql<{ n: number }>`
      with batch as (
        delete from survey_pending_counts
        where ctid = any(array(
          select ctid from survey_pending_counts order by org_id, response_id limit ${FOLD_BATCH} for update
        ))
        returning *
      ),
      -- Each insert takes its rows in its key's order: two folds with disjoint batches (a backlog longer than one
      -- batch) write the same rows without deadlocking (see requests.repository.ts, byRollupLockOrder).
      -- Every question, every site together: a batch falls into a few rows (migration 0039), with its number of
      -- responses (0040); a response that answered nothing still counts, its row's counts then empty.
      per_question as (
        insert into survey_answer_rollup (org_id, survey_id, month, channel, counts, responses)
        select g.org_id, g.survey_id, g.month, g.channel, coalesce(v.counts, '{}'::jsonb), g.n
        from (
          select org_id, survey_id, month, channel, count(*)::int as n from batch group by org_id, survey_id, month, channel
        ) as g
        left join (
          select org_id, survey_id, month, channel, jsonb_object_agg(k, n) as counts
          from (
            select b.org_id, b.survey_id, b.month, b.channel, t.q || ' ' || t.v as k, count(*)::int as n
            from batch b, unnest(b.question_ids, b.answer_values) as t(q, v)
            group by b.org_id, b.survey_id, b.month, b.channel, k
          ) as per_value
          group by org_id, survey_id, month, channel
        ) as v on v.org_id = g.org_id and v.survey_id = g.survey_id and v.month = g.month and v.channel = g.channel
        order by g.org_id, g.survey_id, g.month, g.channel
        on conflict (org_id, survey_id, month, channel)
        do update set
          counts = survey_answer_rollup.counts || coalesce((
            select jsonb_object_agg(e.k, coalesce((survey_answer_rollup.counts ->> e.k)::int, 0) + e.n::int)
            from jsonb_each_text(excluded.counts) as e(k, n)
          ), '{}'::jsonb),
          responses = survey_answer_rollup.responses + excluded.responses
      ),
      -- Per site, the headline question's sentiments: the answer's « overall » measure.
      per_site as (
        insert into survey_site_rollup (org_id, survey_id, month, site_id, channel, answered, satisfied, neutral, dissatisfied)
        select b.org_id, b.survey_id, b.month, b.site_id, b.channel, count(*)::int, sum(x.sat)::int, sum(x.neu)::int, sum(x.dis)::int
        from batch b, unnest(b.measures, b.satisfied, b.neutral, b.dissatisfied) as x(measure, sat, neu, dis)
        where x.measure = 'overall'
        group by b.org_id, b.survey_id, b.month, b.site_id, b.channel
        order by b.org_id, b.survey_id, b.month, b.site_id, b.channel
        on conflict (org_id, survey_id, month, site_id, channel) do update set
          answered = survey_site_rollup.answered + excluded.answered,
          satisfied = survey_site_rollup.satisfied + excluded.satisfied,
          neutral = survey_site_rollup.neutral + excluded.neutral,
          dissatisfied = survey_site_rollup.dissatisfied + excluded.dissatisfied
      ),
      satisfaction as (
        insert into survey_satisfaction_rollup (org_id, month, channel, measure, answered, satisfied, neutral, dissatisfied, rated_8)
        select a.id, b.month, b.channel, x.measure, count(*)::int, sum(x.sat)::int, sum(x.neu)::int, sum(x.dis)::int, sum(x.r8)::int
        from batch b, unnest(b.site_path) as a(id),
             unnest(b.measures, b.satisfied, b.neutral, b.dissatisfied, b.rated_8) as x(measure, sat, neu, dis, r8)
        group by a.id, b.month, b.channel, x.measure
        order by a.id, b.month, b.channel, x.measure
        on conflict (org_id, month, channel, measure) do update set
          answered = survey_satisfaction_rollup.answered + excluded.answered,
          satisfied = survey_satisfaction_rollup.satisfied + excluded.satisfied,
          neutral = survey_satisfaction_rollup.neutral + excluded.neutral,
          dissatisfied = survey_satisfaction_rollup.dissatisfied + excluded.dissatisfied,
          rated_8 = survey_satisfaction_rollup.rated_8 + excluded.rated_8
      )
      select count(*)::int as n from batch
    `.execute(db);
    return result.rows[0]?.n ?? 0;
  });
}

/** The answers of a survey with their day, in day order (the results page reads them; a rollup will replace this). */
export async function responsesOf(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
): Promise<Array<{ answeredOn: string; version: number; answers: unknown }>> {
  const rows = await db
    .selectFrom("survey_responses")
    .select(["answered_on", "version", "answers"])
    .where("org_id", "=", orgId)
    .where("survey_id", "=", surveyId)
    .orderBy("answered_on")
    .execute();
  return rows.map((r) => ({ answeredOn: r.answered_on, version: r.version, answers: r.answers }));
}

/** What the public answer path needs, without counting anything: it runs on every answer. */
export interface PublicSurveyRow {
  orgId: string;
  id: string;
  title: string;
  channel: string | null;
  status: string;
  version: number;
  definition: unknown;
  kioskNonce: string;
}

export async function findPublicSurvey(db: Kysely<DB>, orgId: string, surveyId: string): Promise<PublicSurveyRow | undefined> {
  const row = await db
    .selectFrom("surveys as s")
    .innerJoin("survey_versions as v", (j) => j.onRef("v.org_id", "=", "s.org_id").onRef("v.survey_id", "=", "s.id"))
    .select(["s.org_id", "s.id", "s.title", "s.channel", "s.status", "v.version", "v.definition", "s.kiosk_nonce"])
    .where("s.org_id", "=", orgId)
    .where("s.id", "=", surveyId)
    .orderBy("v.version", "desc")
    .limit(1)
    .executeTakeFirst();
  return (
    row && {
      orgId: row.org_id,
      id: row.id,
      title: row.title,
      channel: row.channel,
      status: row.status,
      version: row.version,
      definition: row.definition,
      kioskNonce: row.kiosk_nonce,
    }
  );
}

export interface SurveySettings {
  version: number;
  status: string;
  inviteAfterAnswer: boolean;
  draft: unknown;
  kioskNonce: string;
}

export async function surveySettings(db: Kysely<DB>, orgId: string, surveyId: string): Promise<SurveySettings | undefined> {
  const row = await db
    .selectFrom("surveys")
    .select(["version", "status", "invite_after_answer", "draft", "kiosk_nonce"])
    .where("org_id", "=", orgId)
    .where("id", "=", surveyId)
    .executeTakeFirst();
  return (
    row && {
      version: row.version,
      status: row.status,
      inviteAfterAnswer: row.invite_after_answer,
      draft: row.draft,
      kioskNonce: row.kiosk_nonce,
    }
  );
}

/** Writes the settings if the version is still the one read; false when someone else wrote first. */
export async function updateSurvey(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  version: number,
  changes: { status?: string; inviteAfterAnswer?: boolean; title?: string; draft?: unknown; rotateKiosk?: boolean },
): Promise<boolean> {
  const result = await db
    .updateTable("surveys")
    .set((eb) => ({
      version: eb("version", "+", 1),
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.inviteAfterAnswer !== undefined ? { invite_after_answer: changes.inviteAfterAnswer } : {}),
      ...(changes.title !== undefined ? { title: changes.title } : {}),
      ...(changes.draft !== undefined ? { draft: changes.draft === null ? null : JSON.stringify(changes.draft) } : {}),
      ...(changes.rotateKiosk ? { kiosk_nonce: sql<string>`md5(random()::text)` } : {}),
    }))
    .where("org_id", "=", orgId)
    .where("id", "=", surveyId)
    .where("version", "=", version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertVersion(db: Kysely<DB>, orgId: string, surveyId: string, version: number, definition: unknown): Promise<void> {
  await db
    .insertInto("survey_versions")
    .values({ org_id: orgId, survey_id: surveyId, version, definition: JSON.stringify(definition) })
    .execute();
}

export async function replaceVersion(db: Kysely<DB>, orgId: string, surveyId: string, version: number, definition: unknown): Promise<void> {
  await db
    .updateTable("survey_versions")
    .set({ definition: JSON.stringify(definition) })
    .where("org_id", "=", orgId)
    .where("survey_id", "=", surveyId)
    .where("version", "=", version)
    .execute();
}

export async function versionsOf(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
): Promise<Array<{ version: number; definition: unknown }>> {
  return db
    .selectFrom("survey_versions")
    .select(["version", "definition"])
    .where("org_id", "=", orgId)
    .where("survey_id", "=", surveyId)
    .orderBy("version")
    .execute();
}

/** Responses recorded against one version: a version with none can still be edited in place. */
export async function responsesToVersion(db: Kysely<DB>, orgId: string, surveyId: string, version: number): Promise<number> {
  const row = await db
    .selectFrom("survey_responses")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("org_id", "=", orgId)
    .where("survey_id", "=", surveyId)
    .where("version", "=", version)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface AnswerRollupRow {
  month: string;
  channel: string;
  questionId: string;
  value: string;
  answers: number;
}

/** Every question's counts of a survey, every site together, per month and channel. */
export async function answerRollup(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  filter: { fromMonth: string; toMonth: string },
): Promise<AnswerRollupRow[]> {
  // Every read of a rollup first folds in the answers still waiting: it sees every stored answer.
  await foldPendingCounts(db);
  // One row per month and channel; its counts by « question value » (migrations 0037, 0039), opened here.
  const { rows } = await sql<{ month: string; channel: string; question_id: string; value: string; answers: number }>`
    select r.month, r.channel, split_part(e.key, ' ', 1) as question_id, substr(e.key, strpos(e.key, ' ') + 1) as value,
           e.value::int as answers
    from survey_answer_rollup r, jsonb_each_text(r.counts) as e(key, value)
    where r.org_id = ${orgId} and r.survey_id = ${surveyId} and r.month >= ${filter.fromMonth} and r.month <= ${filter.toMonth}
  `.execute(db);
  return rows.map((r) => ({
    month: r.month.slice(0, 7),
    channel: r.channel,
    questionId: r.question_id,
    value: r.value,
    answers: r.answers,
  }));
}

/**
 * One site's answers to a survey over a period, as stored (the results of one site are counted from them: the
 * rollup keeps only the headline question per site). Found through `survey_responses_site_idx`: bounded by
 * what the site received, whatever the size of the network.
 */
export async function siteAnswers(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  /** `before`: the first day not read. */
  filter: { siteId: string; from: string; before: string; channel?: string | undefined },
): Promise<Array<{ answeredOn: string; channel: string; answers: Answers }>> {
  let q = db
    .selectFrom("survey_responses")
    .select(["answered_on", "channel", "answers"])
    .where("site_id", "=", filter.siteId)
    .where("answered_on", ">=", filter.from)
    .where("answered_on", "<", filter.before)
    .where("org_id", "=", orgId)
    .where("survey_id", "=", surveyId);
  if (filter.channel) q = q.where("channel", "=", filter.channel);
  const rows = await q.execute();
  return rows.map((r) => ({ answeredOn: r.answered_on, channel: r.channel, answers: (r.answers ?? {}) as Answers }));
}

export interface SiteRollupRow {
  siteId: string;
  name: string;
  answered: number;
  satisfied: number;
  neutral: number;
  dissatisfied: number;
}

/** The headline question per site that has answers in the months given, with the site's name: one row per site, in one read whatever their number. */
export async function siteRollup(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  filter: { fromMonth: string; toMonth: string },
): Promise<SiteRollupRow[]> {
  await foldPendingCounts(db);
  // The sums per site first, then one name per site.
  const rows = await db
    .selectFrom((eb) =>
      eb
        .selectFrom("survey_site_rollup")
        .select((x) => [
          "site_id",
          sql<number>`sum(${x.ref("answered")})::int`.as("answered"),
          sql<number>`sum(${x.ref("satisfied")})::int`.as("satisfied"),
          sql<number>`sum(${x.ref("neutral")})::int`.as("neutral"),
          sql<number>`sum(${x.ref("dissatisfied")})::int`.as("dissatisfied"),
        ])
        .where("org_id", "=", orgId)
        .where("survey_id", "=", surveyId)
        .where("month", ">=", filter.fromMonth)
        .where("month", "<=", filter.toMonth)
        .groupBy("site_id")
        .as("s"),
    )
    .select(["s.site_id", "s.answered", "s.satisfied", "s.neutral", "s.dissatisfied", organisationNameSql("s.site_id").as("name")])
    .execute();
  return rows.map((r) => ({
    siteId: r.site_id,
    name: r.name ?? r.site_id,
    answered: r.answered,
    satisfied: r.satisfied,
    neutral: r.neutral,
    dissatisfied: r.dissatisfied,
  }));
}

export interface SatisfactionRollupRow {
  orgId: string;
  month: string;
  channel: string;
  measure: string;
  answered: number;
  satisfied: number;
  neutral: number;
  dissatisfied: number;
  rated8: number;
}

/** Satisfaction counts of every organisation of a scope (each row already holds its whole subtree), in one read. */
export async function satisfactionRollupInScope(
  db: Kysely<DB>,
  scope: OrgScope,
  fromMonth: string,
  toMonth: string,
): Promise<SatisfactionRollupRow[]> {
  await foldPendingCounts(db);
  const rows = await db
    .selectFrom("survey_satisfaction_rollup")
    .selectAll()
    .where(inScopeSql("org_id", scope))
    .where("month", ">=", fromMonth)
    .where("month", "<=", toMonth)
    .execute();
  return rows.map(toSatisfactionRow);
}

function toSatisfactionRow(r: {
  org_id: string;
  month: string;
  channel: string;
  measure: string;
  answered: number;
  satisfied: number;
  neutral: number;
  dissatisfied: number;
  rated_8: number;
}): SatisfactionRollupRow {
  return {
    orgId: r.org_id,
    month: r.month.slice(0, 7),
    channel: r.channel,
    measure: r.measure,
    answered: r.answered,
    satisfied: r.satisfied,
    neutral: r.neutral,
    dissatisfied: r.dissatisfied,
    rated8: r.rated_8,
  };
}

/** Satisfaction counts of each organisation given (each row already holds its whole subtree). */
export async function satisfactionRollup(
  db: Kysely<DB>,
  orgIds: string[],
  fromMonth: string,
  toMonth: string,
): Promise<SatisfactionRollupRow[]> {
  if (orgIds.length === 0) return [];
  await foldPendingCounts(db);
  const rows = await db
    .selectFrom("survey_satisfaction_rollup")
    .selectAll()
    .where("org_id", "in", orgIds)
    .where("month", ">=", fromMonth)
    .where("month", "<=", toMonth)
    .execute();
  return rows.map(toSatisfactionRow);
}

/** The open survey that invites requesters after an answer: the organisation's own, else the nearest ancestor's. */
export async function invitingSurvey(db: Kysely<DB>, path: string[]): Promise<{ orgId: string; id: string } | undefined> {
  if (path.length === 0) return undefined;
  const rows = await db
    .selectFrom("surveys")
    .select(["org_id", "id", "created_at"])
    .where("org_id", "in", path)
    .where("status", "=", "open")
    .where("invite_after_answer", "=", true)
    .execute();
  // Nearest first (path runs from the root down to the organisation), then the most recent.
  rows.sort((a, b) => path.indexOf(b.org_id) - path.indexOf(a.org_id) || +b.created_at - +a.created_at);
  const first = rows[0];
  return first && { orgId: first.org_id, id: first.id };
}

export async function insertInvitation(db: Kysely<DB>, orgId: string, surveyId: string, tokenHash: string): Promise<void> {
  await db.insertInto("survey_invitations").values({ org_id: orgId, survey_id: surveyId, token_hash: tokenHash }).execute();
}

export async function invitationState(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  tokenHash: string,
): Promise<"unused" | "used" | "unknown"> {
  const row = await db
    .selectFrom("survey_invitations")
    .select("used_on")
    .where("org_id", "=", orgId)
    .where("survey_id", "=", surveyId)
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
  return !row ? "unknown" : row.used_on ? "used" : "unused";
}

export async function invitationCounts(db: Kysely<DB>, orgId: string, surveyId: string): Promise<{ sent: number; used: number }> {
  const row = await db
    .selectFrom("survey_invitations")
    .select((eb) => [eb.fn.countAll<string>().as("sent"), eb.fn.count<string>("used_on").as("used")])
    .where("org_id", "=", orgId)
    .where("survey_id", "=", surveyId)
    .executeTakeFirstOrThrow();
  return { sent: Number(row.sent), used: Number(row.used) };
}

export interface CommentRow {
  responseId: string;
  questionId: string;
  answeredOn: string;
  siteId: string;
  channel: string;
  text: string;
  status: string;
  publishedText: string | null;
  themes: string[];
  version: number;
}

export async function listComments(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  filter: { status?: string | undefined; theme?: string | undefined },
): Promise<CommentRow[]> {
  let q = db
    .selectFrom("survey_comments as c")
    .innerJoin("survey_responses as r", (j) => j.onRef("r.org_id", "=", "c.org_id").onRef("r.id", "=", "c.response_id"))
    .select([
      "c.response_id",
      "c.question_id",
      "r.answered_on",
      "r.site_id",
      "r.channel",
      sql<string>`r.answers ->> c.question_id`.as("text"),
      "c.status",
      "c.published_text",
      "c.themes",
      "c.version",
    ])
    .where("c.org_id", "=", orgId)
    .where("r.survey_id", "=", surveyId);
  if (filter.status) q = q.where("c.status", "=", filter.status);
  if (filter.theme) q = q.where(sql<boolean>`${filter.theme} = any(c.themes)`);
  const rows = await q.orderBy("r.answered_on", "desc").orderBy("c.response_id").limit(500).execute();
  return rows.map((r) => ({
    responseId: r.response_id,
    questionId: r.question_id,
    answeredOn: r.answered_on,
    siteId: r.site_id,
    channel: r.channel,
    text: r.text ?? "",
    status: r.status,
    publishedText: r.published_text,
    themes: r.themes,
    version: r.version,
  }));
}

export async function findComment(db: Kysely<DB>, orgId: string, responseId: string, questionId: string) {
  return db
    .selectFrom("survey_comments")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("response_id", "=", responseId)
    .where("question_id", "=", questionId)
    .executeTakeFirst();
}

export async function reviewComment(
  db: Kysely<DB>,
  orgId: string,
  key: { responseId: string; questionId: string; version: number },
  review: { status: string; publishedText: string | null; themes: string[] },
): Promise<boolean> {
  const result = await db
    .updateTable("survey_comments")
    .set((eb) => ({
      status: review.status,
      published_text: review.publishedText,
      themes: review.themes,
      version: eb("version", "+", 1),
      reviewed_at: new Date(),
    }))
    .where("org_id", "=", orgId)
    .where("response_id", "=", key.responseId)
    .where("question_id", "=", key.questionId)
    .where("version", "=", key.version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Published comments of an organisation's subtree (a subquery on the tree, never an id list), newest first, for the public results. */
export async function publishedComments(db: Kysely<DB>, root: string, limit: number) {
  return db
    .selectFrom("survey_comments as c")
    .innerJoin("survey_responses as r", (j) => j.onRef("r.org_id", "=", "c.org_id").onRef("r.id", "=", "c.response_id"))
    .select(["r.site_id", "r.answered_on", "c.published_text", "c.themes"])
    .where(inSubtreeSql("r.site_id", root))
    .where("c.status", "=", "published")
    .orderBy("r.answered_on", "desc")
    .limit(limit)
    .execute();
}

/** Every response of a survey with its answers, for the export (day order). */
export async function exportRows(db: Kysely<DB>, orgId: string, surveyId: string) {
  return db
    .selectFrom("survey_responses")
    .select(["id", "version", "answered_on", "site_id", "channel", "via", "answers"])
    .where("org_id", "=", orgId)
    .where("survey_id", "=", surveyId)
    .orderBy("answered_on")
    .orderBy("id")
    .execute();
}

/** The sites under `root` that received at least one survey answer in the year: one query, whatever their number. */
export async function sitesSurveyedIn(db: Kysely<DB>, root: string, year: number): Promise<string[]> {
  const rows = await db
    .selectFrom("survey_responses")
    .select("site_id")
    .distinct()
    .where(inScopeSql("site_id", { of: root, depth: "sites" }))
    .where("answered_on", ">=", `${year}-01-01`)
    .where("answered_on", "<=", `${year}-12-31`)
    .execute();
  return rows.map((r) => r.site_id);
}
