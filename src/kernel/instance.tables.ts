import type { ColumnType, Generated } from "kysely";

/** The tables of the instance's own (settings, rate limits), read and written by src/kernel/: their owner alone names them in its queries (test/architecture.test.ts). */
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string | null, string | null>;

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: TimestampDefault;
}

export interface RateCountersTable {
  bucket: string;
  key_hash: string;
  window_start: Date;
  hits: Generated<number>;
}

export interface RateEventsTable {
  id: Generated<string>;
  bucket: string;
  key_hash: string;
  at: TimestampDefault;
}

/** One row: moves at the commit of any change to the settings the servers cache (migration 0035, kernel/settings-epoch.ts). */
export interface SettingsEpochTable {
  one: Generated<boolean>;
  epoch: ColumnType<string, never, never>;
  database: ColumnType<string, never, never>;
  xact: ColumnType<string | null, never, never>;
}

export type InstanceTables = {
  settings_epoch: SettingsEpochTable;
  settings: SettingsTable;
  rate_counters: RateCountersTable;
  rate_events: RateEventsTable;
};
