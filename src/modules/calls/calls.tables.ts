import type { ColumnType, Generated } from "kysely";

/** The call tables' types (migrations 0008 and 0018), kept beside the module that owns them. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
/** bigint comes back as text from both engines (no silent precision loss). */
type BigintCount = ColumnType<string, number | string | undefined, number | string>;
type Jsonb = ColumnType<unknown, string | undefined, string>;

export interface CallSettingsTable {
  org_id: string;
  rings: number | null;
  seconds_per_ring: Generated<number>;
  inbound_contexts: ColumnType<string[], string[] | undefined, string[]>;
  mapping: ColumnType<unknown, string | null | undefined, string | null>;
  version: Generated<number>;
  updated_at: TimestampDefault;
}

export interface CallImportsTable {
  org_id: string;
  id: Generated<string>;
  file_name: string;
  format: string;
  status: string;
  bytes_total: BigintCount;
  bytes_read: BigintCount;
  rows_read: Generated<number>;
  rows_invalid: Generated<number>;
  rows_skipped: Generated<number>;
  rows_created: Generated<number>;
  rows_duplicate: Generated<number>;
  errors: Jsonb;
  message: string | null;
  created_by: string | null;
  created_by_label: string;
  /** The process reading or recording the import, `host/pid` (migration 0030). */
  runner: ColumnType<string | null, string | null | undefined, string | null>;
  /** The staged calls the recording under way has already moved (migration 0031). */
  rows_moved: Generated<number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface CallImportRowsTable {
  org_id: string;
  import_id: string;
  call_key: string;
  started_at: Date | string;
  local_day: string;
  slot: number;
  line: string;
  outcome: string;
  wait_seconds: number;
  talk_seconds: number;
}

export interface CallsTable extends CallImportRowsTable {}

export interface CallRollupTable {
  org_id: string;
  month: string;
  line: string;
  dow: number;
  slot: number;
  offered: number;
  answered: number;
  abandoned: number;
  wait_sum: BigintCount;
}

export interface CallWaitRollupTable {
  org_id: string;
  month: string;
  line: string;
  bucket: number;
  answered: number;
}

/** Migration 0018: what a node's pages show of its descendants' calls, without the line. */
export interface CallDescendantRollupTable {
  org_id: string;
  month: string;
  dow: number;
  slot: number;
  offered: Generated<number>;
  answered: Generated<number>;
  abandoned: Generated<number>;
  wait_sum: BigintCount;
}

export interface CallDescendantWaitRollupTable {
  org_id: string;
  month: string;
  bucket: number;
  answered: Generated<number>;
}

export type CallTables = {
  call_settings: CallSettingsTable;
  call_imports: CallImportsTable;
  call_import_rows: CallImportRowsTable;
  calls: CallsTable;
  call_rollup: CallRollupTable;
  call_wait_rollup: CallWaitRollupTable;
  call_descendant_rollup: CallDescendantRollupTable;
  call_descendant_wait_rollup: CallDescendantWaitRollupTable;
};
