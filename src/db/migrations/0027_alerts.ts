import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Alerts (issue #15, point 3).
 * - `alert_settings`: per organisation, N (working days before a deadline for `deadline_soon`) and the
 *   kinds it turned off; no row: N = 2, every kind on.
 * - `alert_preferences`: per person and kind, « off », « immediate » (an e-mail at once) or « digest » (a
 *   section of the daily reminder); no row: « immediate ». Keyed by the account, like the account itself.
 * - `notifications`: one row per alert and recipient; the unique key (org, kind, key, recipient) is what
 *   makes an alert go out once whoever raises it, however often (ON CONFLICT DO NOTHING).
 *   `digested_on` is set when the daily reminder carried it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table alert_settings (
      org_id uuid primary key references organisations (id) on delete cascade,
      deadline_days integer not null default 2 check (deadline_days between 1 and 30),
      disabled_kinds text[] not null default '{}',
      updated_at timestamptz not null default now()
    );
    create table alert_preferences (
      account_id uuid not null references accounts (id) on delete cascade,
      kind text not null,
      mode text not null check (mode in ('off', 'immediate', 'digest')),
      primary key (account_id, kind)
    );
    create table notifications (
      org_id uuid not null references organisations (id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      kind text not null,
      key text not null,
      recipient_id uuid not null references accounts (id) on delete cascade,
      subject_type text,
      subject_id uuid,
      title text not null,
      body text not null,
      link text not null,
      mode text not null check (mode in ('immediate', 'digest')),
      created_at timestamptz not null default now(),
      read_at timestamptz,
      digested_on date,
      primary key (org_id, id),
      unique (org_id, kind, key, recipient_id)
    );
    create index notifications_recipient_idx on notifications (recipient_id, created_at desc);
    create index notifications_unread_idx on notifications (recipient_id) where read_at is null;
    create index notifications_digest_idx on notifications (recipient_id) where mode = 'digest' and digested_on is null;
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop table notifications; drop table alert_preferences; drop table alert_settings;");
}
