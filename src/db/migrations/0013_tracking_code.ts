import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * The public finds a request from its receipt number and short code (/track). Numbers are unique
 * per organisation only, so the lookup is by number alone across organisations: it needs its index.
 * The code itself is derived (see src/modules/requests/tracking-code.ts), so no column is added.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "create index requests_number_idx on requests (number);");
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop index requests_number_idx;");
}
