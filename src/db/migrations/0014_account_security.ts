import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Account security (issue #19): counters bumped in one statement, so parallel guesses cannot all
 * read « under the limit » before any is counted; password reset tokens, kept only as a hash; and a
 * flag on the accounts the demo loader creates, which sign in only on a demo instance.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table rate_counters (
      bucket text not null,
      key_hash text not null,
      window_start timestamptz not null,
      hits integer not null default 1,
      primary key (bucket, key_hash, window_start)
    );
    create index rate_counters_window_idx on rate_counters (window_start);

    create table password_resets (
      token_hash text primary key,
      account_id uuid not null references accounts (id) on delete cascade,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz
    );
    create index password_resets_account_idx on password_resets (account_id);

    alter table accounts add column demo boolean not null default false;
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop table password_resets; drop table rate_counters; alter table accounts drop column demo;");
}
