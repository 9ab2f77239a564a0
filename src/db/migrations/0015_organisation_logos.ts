import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * An organisation's logo, shown on its public pages in the neutral theme (a town hall is not the
 * State: its own mark tells the public whose form this is). Kept in the database, like evidence files,
 * so both engines and their backups carry it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table organisation_logos (
      org_id uuid primary key references organisations (id) on delete cascade,
      content_type text not null,
      data bytea not null,
      updated_at timestamptz not null default now()
    );
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop table organisation_logos;");
}
