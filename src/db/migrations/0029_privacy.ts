import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Personal data by the rules (issue #17, point 5).
 * - `retention_periods`: how long an organisation keeps the people behind each kind of record, in
 *   months; a kind without a row uses the default documented in docs/privacy.md.
 * - `privacy_contacts`: whom the public writes to about its data (contact, data protection officer);
 *   the record of processing activities and the personal-data page are generated from it.
 * - `requests.anonymised_at`: when the requester was removed from the request (retention or an
 *   erasure); the figures (dates, delays, channel, kind, status) stay, so rollups never change.
 *   The partial index lets the daily job find the closed requests still holding a person without
 *   reading the anonymised ones again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table retention_periods (
      org_id uuid not null references organisations (id) on delete cascade,
      kind text not null check (kind in ('requests', 'complaints', 'suggestions', 'survey_comments', 'call_logs', 'audit')),
      months integer not null check (months between 1 and 1200),
      updated_at timestamptz not null default now(),
      primary key (org_id, kind)
    );
    create table privacy_contacts (
      org_id uuid primary key references organisations (id) on delete cascade,
      contact_email text not null default '',
      dpo_name text not null default '',
      dpo_email text not null default '',
      updated_at timestamptz not null default now()
    );
    alter table requests add column anonymised_at timestamptz;
    create index requests_to_anonymise_idx on requests (org_id, closed_on) where anonymised_at is null;
    `,
  );
}
