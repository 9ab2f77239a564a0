import type { ColumnType, Generated } from "kysely";

/** Staff, trainings and incident reports (migration 0009), kept beside the module; only its repository sees them. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export interface StaffMembersTable {
  org_id: string;
  id: Generated<string>;
  name: string;
  job: string | null;
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: TimestampDefault;
}

export interface StaffTrainingsTable {
  org_id: string;
  id: Generated<string>;
  staff_id: string;
  theme: string;
  completed_on: string;
  created_at: TimestampDefault;
}

export interface IncidentReportsTable {
  org_id: string;
  id: Generated<string>;
  occurred_on: string;
  channel: string | null;
  description: string;
  reporter_id: string | null;
  reporter_label: string;
  status: Generated<string>;
  action_id: string | null;
  triage_note: string | null;
  version: Generated<number>;
  created_at: TimestampDefault;
}

export interface StaffRollupTable {
  org_id: string;
  day: string;
  theme: string;
  trained: number;
}

export interface StaffCountsTable {
  org_id: string;
  active: number;
}

export type StaffTables = {
  staff_members: StaffMembersTable;
  staff_trainings: StaffTrainingsTable;
  incident_reports: IncidentReportsTable;
  staff_rollup: StaffRollupTable;
  staff_counts: StaffCountsTable;
};
