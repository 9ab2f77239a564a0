import type { ColumnType, Generated, Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/**
 * The survey tables' types, kept beside the module until src/db/schema.ts lists them; the
 * repository reaches them through `withTables`, so nothing outside this folder sees them.
 */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: written as JSON text, read back parsed by both engines. */
type Jsonb = ColumnType<unknown, string, string>;

export interface SurveysTable {
  org_id: string;
  id: Generated<string>;
  title: string;
  channel: string | null;
  template: string;
  status: Generated<string>;
  created_at: TimestampDefault;
}

export interface SurveyVersionsTable {
  org_id: string;
  survey_id: string;
  version: number;
  definition: Jsonb;
  created_at: TimestampDefault;
}

export interface SurveyResponsesTable {
  org_id: string;
  id: Generated<string>;
  survey_id: string;
  version: number;
  channel: string;
  answered_on: string;
  answers: Jsonb;
  form_token_hash: string;
  created_at: TimestampDefault;
}

export type SurveyTables = {
  surveys: SurveysTable;
  survey_versions: SurveyVersionsTable;
  survey_responses: SurveyResponsesTable;
};

export type SurveyDb = Kysely<DB & SurveyTables>;

export function surveyDb(db: Kysely<DB>): SurveyDb {
  return db.withTables<SurveyTables>();
}
