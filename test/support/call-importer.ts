/**
 * A call-log import in its own process, for the crash tests: claims the import (so its runner is this
 * process), reads the file and says « progress n » after each batch, « checked » or « done » at the end,
 * then stays until killed when told to wait, so the test can kill it with SIGKILL at any of these points.
 * Usage: node --import tsx test/support/call-importer.ts '<database options as JSON>' ORG_ID IMPORT_ID FILE commit|check [wait]
 */
import { openDatabase } from "../../src/db/database.ts";
import { SYSTEM_ACTOR } from "../../src/modules/audit/audit.service.ts";
import { claimImport, runImport } from "../../src/modules/calls/calls.service.ts";

const [options, orgId, importId, file, mode, wait] = process.argv.slice(2);
if (!options || !orgId || !importId || !file) throw new Error("arguments manquants");
const database = await openDatabase({ ...JSON.parse(options), purpose: "import d'appels (test)" });
await claimImport(database.db, orgId, importId);
process.stdout.write("ready\n");
let n = 0;
const result = await runImport(database.db, SYSTEM_ACTOR, orgId, importId, file, {
  commitWhenClean: mode === "commit",
  onProgress: () => process.stdout.write(`progress ${++n}\n`),
});
process.stdout.write(`${result.status}\n`);
if (wait) await new Promise(() => undefined);
await database.close();
