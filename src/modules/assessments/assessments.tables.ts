import type { ColumnType, Generated } from "kysely";

/** The self-assessment tables (migration 0009), kept beside the module; only its repository sees them. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: written as JSON text, read back parsed by both engines. */
type Jsonb = ColumnType<unknown, string | undefined, string>;
/** numeric comes back as a string from PostgreSQL. */
type Numeric = ColumnType<string | number | null, number | null | undefined, number | null>;

export interface AssessmentsTable {
  org_id: string;
  id: Generated<string>;
  year: number;
  framework_id: string | null;
  status: Generated<string>;
  overall_score: Numeric;
  commitment_scores: Jsonb;
  signed_by: string | null;
  signed_by_label: string | null;
  signed_at: NullableTimestamp;
  version: Generated<number>;
  created_at: TimestampDefault;
}

export interface AssessmentItemsTable {
  org_id: string;
  assessment_id: string;
  requirement_id: string;
  position: number;
  commitment_id: string;
  commitment_number: number | null;
  commitment_title: string;
  requirement_text: string;
  status: string | null;
  comment: string | null;
  links: ColumnType<string[], string[] | undefined, string[]>;
  version: Generated<number>;
  updated_at: TimestampDefault;
  updated_by_label: string | null;
}

export interface AssessmentEvidenceTable {
  org_id: string;
  id: Generated<string>;
  assessment_id: string;
  requirement_id: string;
  file_name: string;
  content_type: string;
  size: number;
  data: Uint8Array;
  created_by_label: string;
  created_at: TimestampDefault;
}

export interface AssessmentRollupTable {
  org_id: string;
  year: number;
  commitment_id: string;
  score_sum: ColumnType<string | number, number, number>;
  campaigns: number;
}

export type AssessmentTables = {
  assessments: AssessmentsTable;
  assessment_items: AssessmentItemsTable;
  assessment_evidence: AssessmentEvidenceTable;
  assessment_rollup: AssessmentRollupTable;
};
