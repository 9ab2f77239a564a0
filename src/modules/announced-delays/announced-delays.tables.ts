import type { ColumnType } from "kysely";

/** The tables of the announced-delays module: their owner alone names them in its queries (test/architecture.test.ts). */
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AnnouncedDelaysTable {
  org_id: string;
  channel: string;
  kind: string;
  value: number;
  unit: string;
  updated_at: TimestampDefault;
}

export type AnnouncedDelayTables = {
  announced_delays: AnnouncedDelaysTable;
};
