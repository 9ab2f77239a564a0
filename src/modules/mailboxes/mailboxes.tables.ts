import type { ColumnType, Generated } from "kysely";

/** The mailbox tables' types (migration 0022), beside the module like calls.tables.ts. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** bigint comes back as text from both engines. */
type Bigint = ColumnType<string, number | string | bigint, number | string | bigint>;
type NullableBigint = ColumnType<string | null, number | string | bigint | null | undefined, number | string | bigint | null>;

export interface MailboxesTable {
  org_id: string;
  id: Generated<string>;
  label: string;
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
  username: string;
  auth: "password" | "oauth2";
  secret_enc: string;
  folder: Generated<string>;
  uid_validity: NullableBigint;
  last_uid: ColumnType<string, number | string | bigint | undefined, number | string | bigint>;
  last_run_at: NullableTimestamp;
  last_success_at: NullableTimestamp;
  last_error: string | null;
  failing_since: NullableTimestamp;
  registered_count: Generated<number>;
  joined_count: Generated<number>;
  ignored_count: Generated<number>;
  created_at: TimestampDefault;
}

export interface MailboxMessagesTable {
  org_id: string;
  mailbox_id: string;
  uid_validity: Bigint;
  uid: Bigint;
  message_id: string | null;
  outcome: "registered" | "joined" | "ignored" | "duplicate";
  reason: string | null;
  request_id: string | null;
  sender: string | null;
  subject: string | null;
  arrived_at: NullableTimestamp;
  collected_at: TimestampDefault;
}

export interface MailboxAttachmentsTable {
  org_id: string;
  request_id: string;
  id: Generated<string>;
  file_name: string;
  content_type: string;
  size: number;
  data: Uint8Array;
  created_at: TimestampDefault;
}

export type MailboxTables = {
  mailboxes: MailboxesTable;
  mailbox_messages: MailboxMessagesTable;
  mailbox_attachments: MailboxAttachmentsTable;
};
