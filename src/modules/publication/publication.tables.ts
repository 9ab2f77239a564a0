import type { ColumnType, Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/** The published figures table of migration 0010, typed beside the module (as surveys.tables.ts). */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: written as JSON text, read back parsed by both engines. */
type Jsonb = ColumnType<unknown, string, string>;

export interface PublishedFiguresTable {
  org_id: string;
  period_from: string;
  period_to: string;
  indicator_key: string;
  channel: string;
  label: string;
  unit: string;
  better: string;
  value: number | null;
  low: number | null;
  high: number | null;
  target: number | null;
  sample: number;
  commitments: Jsonb;
  computed_at: TimestampDefault;
}

export type PublicationTables = { published_figures: PublishedFiguresTable };
export type PublicationDb = Kysely<DB & PublicationTables>;

export function publicationDb(db: Kysely<DB>): PublicationDb {
  return db.withTables<PublicationTables>();
}
