/**
 * A call-log import in its own process, for the crash tests: claims the import (so its runner is this
 * process), reads the file and says « progress n » after each batch, « checked » or « done » at the end,
 * then stays until killed when told to wait, so the test can kill it with SIGKILL at any of these points.
 * Mode `record`: reads the file to a decision, then records it in slices of 2,000 calls, saying « slice n »
 * after each (on PostgreSQL too, where the pages record in one transaction), to be killed between two.
 * Usage: node --import tsx test/support/call-importer.ts '<database options as JSON>' ORG_ID IMPORT_ID FILE commit|check|record [wait]
 */
import { openDatabase } from "../../src/db/database.ts";
import { SYSTEM_ACTOR } from "../../src/modules/audit/audit.service.ts";
import { claimImport, commitImport, runImport } from "../../src/modules/calls/calls.service.ts";

const [options, orgId, importId, file, mode, wait] = process.argv.slice(2);
if (!options || !orgId || !importId || !file) throw new Error("arguments manquants");
const database = await openDatabase({ ...JSON.parse(options), purpose: "import d'appels (test)" });
await claimImport(database.db, orgId, importId);
process.stdout.write("ready\n");
let n = 0;
let result = await runImport(database.db, SYSTEM_ACTOR, orgId, importId, file, {
  commitWhenClean: mode === "commit",
  onProgress: () => process.stdout.write(`progress ${++n}\n`),
});
if (mode === "record" && result.status === "checked") {
  let slices = 0;
  result = await commitImport(database.db, SYSTEM_ACTOR, orgId, importId, {
    slice: 2_000,
    onSlice: () => process.stdout.write(`slice ${++slices}\n`),
  });
}
process.stdout.write(`${result.status}\n`);
if (wait) await new Promise(() => undefined);
await database.close();
