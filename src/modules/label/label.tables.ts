import type { ColumnType, Generated } from "kysely";

/** The label tables (migration 0024), kept beside the module; only its repository sees them. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export interface LabelFilesTable {
  org_id: string;
  candidacy_on: string | null;
  audit_on: string | null;
  body: string | null;
  level: string | null;
  certified_on: string | null;
  follow_up_on: string | null;
  updated_at: TimestampDefault;
}

export interface LabelFindingsTable {
  id: Generated<string>;
  org_id: string;
  kind: string;
  text: string;
  due_on: string;
  action_id: string;
  created_at: TimestampDefault;
}

export type LabelTables = { label_files: LabelFilesTable; label_findings: LabelFindingsTable };
