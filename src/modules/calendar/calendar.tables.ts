import type { ColumnType } from "kysely";

/** The tables of the calendar module: their owner alone names them in its queries (test/architecture.test.ts). */
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export interface OrgClosuresTable {
  org_id: string;
  day: string;
  label: string;
  created_at: TimestampDefault;
}

export type CalendarTables = {
  org_closures: OrgClosuresTable;
};
