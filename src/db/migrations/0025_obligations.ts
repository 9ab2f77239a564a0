import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Yearly obligations, network targets and user feedback (issue #14, points 3 to 5).
 * - `org_targets`: a target set on a node of the tree for one indicator (the phone pick-up rate at
 *   85 % for the whole network…); the nodes below inherit it from their nearest ancestor that sets one,
 *   and may set their own.
 * - `annual_review_signoffs`: the annual review is a document Vigie builds, not a record; a site says
 *   it has held it by signing it off for the year, which is what the « Qui n'a pas encore… » view reads.
 * - `obligation_reminders`: the reminders sent from that view, with the outbox rows they queued, so the
 *   page shows what became of each message.
 * - `feedback`: user stories and ratings imported from the national platforms (Services Publics+
 *   Experiences), with the public reply an agent writes and the action they led to, if any.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table org_targets (
      org_id uuid not null references organisations (id) on delete cascade,
      indicator_key text not null,
      value double precision not null,
      updated_at timestamptz not null default now(),
      primary key (org_id, indicator_key)
    );

    create table annual_review_signoffs (
      org_id uuid not null references organisations (id) on delete cascade,
      year integer not null,
      signed_at timestamptz not null default now(),
      signed_by_label text not null,
      primary key (org_id, year)
    );

    create table obligation_reminders (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references organisations (id) on delete cascade,
      year integer not null,
      obligation text not null,
      sent_at timestamptz not null default now(),
      outbox_ids uuid[] not null
    );
    create index obligation_reminders_org on obligation_reminders (org_id, year);

    create table feedback (
      org_id uuid not null references organisations (id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      source text not null check (source in ('experiences', 'jdma')),
      external_id text not null,
      written_on date not null,
      sentiment text check (sentiment in ('negative', 'neutral', 'positive')),
      body text not null,
      national_reply text,
      public_reply text,
      replied_at timestamptz,
      replied_by_label text,
      action_id uuid,
      imported_at timestamptz not null default now(),
      primary key (org_id, id),
      unique (org_id, source, external_id)
    );
    create index feedback_written on feedback (org_id, written_on);
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `drop table feedback; drop table obligation_reminders; drop table annual_review_signoffs; drop table org_targets;`);
}
