import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/** An organisation's own closure days (bridge days, local events): not working days for its deadlines. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table org_closures (
      org_id uuid not null references organisations (id) on delete cascade,
      day date not null,
      label text not null,
      created_at timestamptz not null default now(),
      primary key (org_id, day)
    );
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop table org_closures;");
}
