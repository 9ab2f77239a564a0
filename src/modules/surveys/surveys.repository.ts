import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Answers } from "./answers.ts";
import { surveyDb } from "./surveys.tables.ts";

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
  const sdb = surveyDb(db);
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
  const sdb = surveyDb(db);
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
    .select((eb) => [
      "s.org_id",
      "s.id",
      "s.title",
      "s.channel",
      "s.template",
      "s.status",
      "s.created_at",
      "v.version",
      "v.definition",
      eb
        .selectFrom("survey_responses as r")
        .select((e) => e.fn.countAll<string>().as("n"))
        .whereRef("r.org_id", "=", "s.org_id")
        .whereRef("r.survey_id", "=", "s.id")
        .as("responses"),
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

/** Inserts a response unless its form token was used already; false when it was. */
export async function insertResponse(
  db: Kysely<DB>,
  orgId: string,
  input: { surveyId: string; version: number; channel: string; answeredOn: string; answers: Answers; formTokenHash: string },
): Promise<boolean> {
  const inserted = await surveyDb(db)
    .insertInto("survey_responses")
    .values({
      org_id: orgId,
      survey_id: input.surveyId,
      version: input.version,
      channel: input.channel,
      answered_on: input.answeredOn,
      answers: JSON.stringify(input.answers),
      form_token_hash: input.formTokenHash,
    })
    .onConflict((oc) => oc.columns(["org_id", "survey_id", "form_token_hash"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The answers of a survey with their day, in day order (the results page reads them; a rollup will replace this). */
export async function responsesOf(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
): Promise<Array<{ answeredOn: string; version: number; answers: unknown }>> {
  const rows = await surveyDb(db)
    .selectFrom("survey_responses")
    .select(["answered_on", "version", "answers"])
    .where("org_id", "=", orgId)
    .where("survey_id", "=", surveyId)
    .orderBy("answered_on")
    .execute();
  return rows.map((r) => ({ answeredOn: r.answered_on, version: r.version, answers: r.answers }));
}
