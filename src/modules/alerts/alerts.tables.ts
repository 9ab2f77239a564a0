import type { ColumnType, Generated } from "kysely";

/** The tables of the alerts module: their owner alone names them in its queries (test/architecture.test.ts). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

/** Migration 0027: an organisation's alert settings (N working days, kinds turned off). */
export interface AlertSettingsTable {
  org_id: string;
  deadline_days: number;
  disabled_kinds: string[];
  updated_at: TimestampDefault;
}

/** Migration 0027: how a person receives each kind of alert. */
export interface AlertPreferencesTable {
  account_id: string;
  kind: string;
  mode: string;
}

/** Migration 0027: one alert for one recipient. */
export interface NotificationsTable {
  org_id: string;
  id: Generated<string>;
  kind: string;
  key: string;
  recipient_id: string;
  subject_type: string | null;
  subject_id: string | null;
  title: string;
  body: string;
  link: string;
  mode: string;
  created_at: TimestampDefault;
  read_at: Timestamp | null;
  digested_on: string | null;
}

export type AlertTables = {
  alert_settings: AlertSettingsTable;
  alert_preferences: AlertPreferencesTable;
  notifications: NotificationsTable;
};
