import type { ColumnType, Generated } from "kysely";

/** The tables of the audit module: their owner alone names them in its queries (test/architecture.test.ts). */
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string | null, string | null>;

export interface AuditLogTable {
  org_id: string;
  id: Generated<string>;
  at: TimestampDefault;
  actor_id: string | null;
  actor_label: string;
  action: string;
  entity: string;
  entity_id: string;
  before: Json;
  after: Json;
}

export type AuditTables = {
  audit_log: AuditLogTable;
};
