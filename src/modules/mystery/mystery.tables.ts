import type { ColumnType, Generated } from "kysely";

/** The mystery-shopper tables' types (migration 0008), kept beside the module. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export type MysteryTables = {
  mystery_campaigns: {
    org_id: string;
    id: Generated<string>;
    title: string;
    starts_on: string;
    ends_on: string;
    channels: string[];
    status: Generated<string>;
    version: Generated<number>;
    created_at: TimestampDefault;
  };
  mystery_campaign_sites: { org_id: string; campaign_id: string; site_id: string };
  mystery_tests: {
    org_id: string;
    id: Generated<string>;
    campaign_id: string;
    site_id: string;
    channel: string;
    grid_id: string;
    grid_version: number;
    tested_on: string;
    tester: string;
    answers: ColumnType<unknown, string, string>;
    comment: string;
    created_by: string | null;
    created_at: TimestampDefault;
  };
  mystery_rollup: { org_id: string; month: string; channel: string; criterion_id: string; passed: number; failed: number };
};
