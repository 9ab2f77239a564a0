import type { ColumnType, Generated } from "kysely";

/** The survey tables' types, kept beside the module that owns them. */
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
  version: Generated<number>;
  draft: Jsonb | null;
  invite_after_answer: Generated<boolean>;
  kiosk_nonce: Generated<string>;
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
  site_id: string;
  via: Generated<string>;
}

export interface SurveyAnswerRollupTable {
  org_id: string;
  survey_id: string;
  month: string;
  channel: string;
  /** « question value » → answers (migration 0037), every site together (0039); `question *` counts the respondents to the question. */
  counts: Jsonb;
  /** Responses folded in, an answer to no question included (0040). */
  responses: Generated<number>;
}

/** Per site, the headline question only (migration 0039): what the comparison between sites shows. */
export interface SurveySiteRollupTable {
  org_id: string;
  survey_id: string;
  month: string;
  site_id: string;
  channel: string;
  answered: number;
  satisfied: number;
  neutral: number;
  dissatisfied: number;
}

export interface SurveySatisfactionRollupTable {
  org_id: string;
  month: string;
  channel: string;
  measure: string;
  answered: number;
  satisfied: number;
  neutral: number;
  dissatisfied: number;
  rated_8: number;
}

export interface SurveyPendingCountsTable {
  org_id: string;
  response_id: string;
  survey_id: string;
  month: string;
  site_id: string;
  site_path: string[];
  channel: string;
  question_ids: string[];
  answer_values: string[];
  measures: string[];
  satisfied: number[];
  neutral: number[];
  dissatisfied: number[];
  rated_8: number[];
}

export interface SurveyInvitationsTable {
  org_id: string;
  survey_id: string;
  token_hash: string;
  created_on: Generated<string>;
  used_on: string | null;
}

export interface SurveyCommentsTable {
  org_id: string;
  response_id: string;
  question_id: string;
  status: Generated<string>;
  published_text: string | null;
  themes: Generated<string[]>;
  version: Generated<number>;
  reviewed_at: Date | null;
}

export type SurveyTables = {
  surveys: SurveysTable;
  survey_versions: SurveyVersionsTable;
  survey_responses: SurveyResponsesTable;
  survey_answer_rollup: SurveyAnswerRollupTable;
  survey_site_rollup: SurveySiteRollupTable;
  survey_satisfaction_rollup: SurveySatisfactionRollupTable;
  survey_invitations: SurveyInvitationsTable;
  survey_pending_counts: SurveyPendingCountsTable;
  survey_comments: SurveyCommentsTable;
};
