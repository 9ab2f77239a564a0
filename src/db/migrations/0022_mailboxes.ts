import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Mailboxes collected over IMAP (issue #15) and the ledger of the messages read from them. The ledger
 * row is written in the transaction that registers (or joins, or ignores) its message, and its keys
 * — (mailbox, UIDVALIDITY, UID) and the Message-ID — are unique: a collector that dies between the
 * fetch and the commit reads the message again and registers it once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table mailboxes (
      org_id uuid not null references organisations (id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      label text not null,
      host text not null,
      port integer not null check (port between 1 and 65535),
      security text not null check (security in ('tls', 'starttls', 'none')),
      username text not null,
      auth text not null check (auth in ('password', 'oauth2')),
      secret_enc text not null,
      folder text not null default 'INBOX',
      uid_validity bigint,
      last_uid bigint not null default 0,
      last_run_at timestamptz,
      last_success_at timestamptz,
      last_error text,
      failing_since timestamptz,
      registered_count integer not null default 0,
      joined_count integer not null default 0,
      ignored_count integer not null default 0,
      created_at timestamptz not null default now(),
      primary key (org_id, id)
    );

    create table mailbox_messages (
      org_id uuid not null,
      mailbox_id uuid not null,
      uid_validity bigint not null,
      uid bigint not null,
      message_id text,
      outcome text not null check (outcome in ('registered', 'joined', 'ignored', 'duplicate')),
      reason text,
      request_id uuid,
      sender text,
      subject text,
      arrived_at timestamptz,
      collected_at timestamptz not null default now(),
      primary key (org_id, mailbox_id, uid_validity, uid),
      foreign key (org_id, mailbox_id) references mailboxes (org_id, id) on delete cascade
    );
    -- One registration per Message-ID in an organisation, whichever of its mailboxes it reached.
    create unique index mailbox_messages_message_id on mailbox_messages (org_id, message_id)
      where message_id is not null and outcome in ('registered', 'joined');
    create index mailbox_messages_request on mailbox_messages (org_id, request_id) where request_id is not null;
    create index mailbox_messages_recent on mailbox_messages (org_id, mailbox_id, collected_at desc);

    create table mailbox_attachments (
      org_id uuid not null,
      request_id uuid not null,
      id uuid not null default gen_random_uuid(),
      file_name text not null,
      content_type text not null,
      size integer not null,
      data bytea not null,
      created_at timestamptz not null default now(),
      primary key (org_id, id)
    );
    create index mailbox_attachments_request on mailbox_attachments (org_id, request_id);
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop table mailbox_attachments; drop table mailbox_messages; drop table mailboxes;");
}
