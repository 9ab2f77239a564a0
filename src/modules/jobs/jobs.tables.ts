import type { ColumnType, Generated } from "kysely";

/** The tables of the jobs module: their owner alone names them in its queries (test/architecture.test.ts). */
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string | null, string | null>;

export interface JobsTable {
  id: Generated<string>;
  name: string;
  payload: Json;
  dedupe_key: string | null;
  run_at: TimestampDefault;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  locked_until: NullableTimestamp;
  done_at: NullableTimestamp;
  last_error: string | null;
  created_at: TimestampDefault;
}

export type JobTables = {
  jobs: JobsTable;
};
