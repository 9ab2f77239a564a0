import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Recording a call log in slices on the embedded engine (issue #17, point 6). PGlite has one
 * connection: a million calls moved in one transaction held it for 15 s, and every page waited.
 * - `call_imports.rows_moved`: the staged calls already moved by the recording under way, for its
 *   progress and so that a recording cut between two slices knows what is left in the staging table.
 * - The staging index gains the local day: a slice is a span of consecutive days, read as a range
 *   (and its calls touch few rollup rows), whatever was already moved before it.
 * - Status `discarding`: an import being dropped after part of it was recorded; its calls leave in
 *   slices too, and a crash in between leaves it « abandon interrompu », to be dropped again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table call_imports add column rows_moved integer not null default 0;
    alter table call_imports drop constraint call_imports_status_check;
    alter table call_imports add constraint call_imports_status_check
      check (status in ('uploaded', 'reading', 'checked', 'committing', 'discarding', 'done', 'failed', 'discarded'));
    drop index call_import_rows_import_idx;
    create index call_import_rows_import_idx on call_import_rows (org_id, import_id, local_day);
    drop index call_imports_pending_idx;
    create index call_imports_pending_idx on call_imports (org_id, created_at)
      where status in ('uploaded', 'reading', 'checked', 'committing', 'discarding');
    `,
  );
}
