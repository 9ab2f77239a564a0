import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/** Submissions counted per source for public forms. The source is kept only as a salted hash. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table rate_events (
      id bigint generated always as identity primary key,
      bucket text not null,
      key_hash text not null,
      at timestamptz not null default now()
    );
    create index rate_events_key_idx on rate_events (bucket, key_hash, at);
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop table rate_events;");
}
