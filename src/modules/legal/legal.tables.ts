import type { ColumnType, Generated } from "kysely";

/** The tables of the legal module: their owner alone names them in its queries (test/architecture.test.ts). */
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export interface LegalPagesTable {
  slug: string;
  title: string;
  body: string;
  compliance: string | null;
  version: Generated<number>;
  updated_at: TimestampDefault;
}

export type LegalTables = {
  legal_pages: LegalPagesTable;
};
