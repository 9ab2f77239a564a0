import type { ColumnType, Generated } from "kysely";

/** The tables of the mail module: their owner alone names them in its queries (test/architecture.test.ts). */
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface OutboxTable {
  org_id: string;
  id: Generated<string>;
  request_id: string | null;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
  created_at: TimestampDefault;
  sent_at: NullableTimestamp;
  message_id: string | null;
  error: string | null;
  status: ColumnType<"queued" | "sent" | "failed", "queued" | "sent" | "failed" | undefined, "queued" | "sent" | "failed">;
  next_attempt_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  error_code: string | null;
  round: Generated<number>;
}

export type MailTables = {
  outbox: OutboxTable;
};
