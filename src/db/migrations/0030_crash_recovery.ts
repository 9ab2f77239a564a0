import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * What a crash leaves behind (issue #17, point 4).
 * - `call_imports.runner`: the process reading or recording the import (`host/pid`). After a kill, the
 *   server on the same machine sees that process gone and offers « Reprendre » / « Abandonner » at once,
 *   instead of waiting ten minutes without news; a runner on another machine keeps the ten-minute rule.
 * - The partial index finds the imports that still hold a file (the sweep of orphaned and expired
 *   uploads, the quota per organisation) without reading the finished ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table call_imports add column runner text;
    create index call_imports_pending_idx on call_imports (org_id, created_at)
      where status in ('uploaded', 'reading', 'checked', 'committing');
    `,
  );
}
