import type { ColumnType } from "kysely";

/** The privacy module's table (migration 0029), beside the module like calls.tables.ts. */
export interface RetentionPeriodsTable {
  org_id: string;
  kind: string;
  months: number;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PrivacyContactsTable {
  org_id: string;
  contact_email: string;
  dpo_name: string;
  dpo_email: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type PrivacyTables = { retention_periods: RetentionPeriodsTable; privacy_contacts: PrivacyContactsTable };
