/**
 * Work that must survive a SIGKILL, each in its own process for the crash tests (test/crash-work.db.test.ts):
 * - `register ORG_ID ROWS`: imports a register of ROWS requests (one transaction), says « ready » then « done »;
 * - `mail`: sends the queued e-mails one job at a time (SMTP_URL from the environment), « sent n » after each;
 * - `publication CHUNK`: plans the nightly publication in chunks of CHUNK organisations and runs them one
 *   job at a time, « chunk n » after each.
 * Usage: node --import tsx test/support/crash-worker.ts '<database options as JSON>' MODE [ARGS…]
 */
import { assembleModules } from "../../src/app/modules.ts";
import { openDatabase } from "../../src/db/database.ts";
import { SYSTEM_ACTOR } from "../../src/modules/audit/audit.service.ts";
import { runDueJobs } from "../../src/modules/jobs/queue.ts";
import "../../src/modules/mail/mail.jobs.ts";
import "../../src/modules/publication/publication.jobs.ts";
import { planPublication, todayForPublication } from "../../src/modules/publication/publication.service.ts";
import { commitImport } from "../../src/modules/requests/import/import.service.ts";
import { proposeMapping } from "../../src/modules/requests/import/mapping.ts";
import { toSheet } from "../../src/modules/requests/import/sheet.ts";
import { registerRows } from "./register-rows.ts";

// As a worker process does: the publication settles every indicator source's waiting counts first.
assembleModules();
const [options, mode, ...args] = process.argv.slice(2);
if (!options || !mode) throw new Error("arguments manquants");
const database = await openDatabase({ ...JSON.parse(options), purpose: `${mode} (test de crash)` });
process.stdout.write("ready\n");
if (mode === "register") {
  const [orgId = "", rows = "0"] = args;
  const records = registerRows(Number(rows));
  const sheet = toSheet(records);
  const report = await commitImport(database.db, orgId, { sheet, mapping: proposeMapping(sheet.columns), constants: {} }, SYSTEM_ACTOR);
  process.stdout.write(`done ${report.created.length}\n`);
} else if (mode === "mail") {
  for (let n = 1; ; n++) {
    const counts = await runDueJobs(database.db, { limit: 1 });
    if (counts.done + counts.failed + counts.retried === 0) break;
    process.stdout.write(`sent ${n}\n`);
  }
  process.stdout.write("done\n");
} else if (mode === "publication") {
  const now = new Date();
  await planPublication(
    database.db,
    { rootId: null, force: false, today: todayForPublication(now) },
    { now, chunkSize: Number(args[0] ?? 5) },
  );
  for (let n = 1; ; n++) {
    const counts = await runDueJobs(database.db, { limit: 1 });
    if (counts.done + counts.failed + counts.retried === 0) break;
    process.stdout.write(`chunk ${n}\n`);
  }
  process.stdout.write("done\n");
}
await new Promise(() => undefined);
