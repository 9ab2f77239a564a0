import type { ColumnType, Generated } from "kysely";

/** The tables of migration 0025, kept beside the module; only its repository sees them. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export interface OrgTargetsTable {
  org_id: string;
  indicator_key: string;
  value: number;
  updated_at: TimestampDefault;
}

export interface AnnualReviewSignoffsTable {
  org_id: string;
  year: number;
  signed_at: TimestampDefault;
  signed_by_label: string;
}

export interface ObligationRemindersTable {
  id: Generated<string>;
  org_id: string;
  year: number;
  obligation: string;
  sent_at: TimestampDefault;
  outbox_ids: string[];
}

export interface FeedbackTable {
  org_id: string;
  id: Generated<string>;
  source: string;
  external_id: string;
  written_on: ColumnType<string, string, string>;
  sentiment: string | null;
  body: string;
  national_reply: string | null;
  public_reply: string | null;
  replied_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  replied_by_label: string | null;
  action_id: string | null;
  imported_at: TimestampDefault;
}

export interface JdmaStatisticsTable {
  org_id: string;
  product_id: string;
  product_name: string;
  period_start: ColumnType<string, string, string>;
  period_length: string;
  field_code: string;
  good: number;
  medium: number;
  bad: number;
  imported_at: TimestampDefault;
}

export type ObligationTables = {
  org_targets: OrgTargetsTable;
  annual_review_signoffs: AnnualReviewSignoffsTable;
  obligation_reminders: ObligationRemindersTable;
  feedback: FeedbackTable;
  jdma_statistics: JdmaStatisticsTable;
};
