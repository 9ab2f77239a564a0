/**
 * A mail collector in its own process, for the crash test: collects one mailbox one message at a time and says
 * « collected n » after each, so the test can kill it with SIGKILL in the middle of a batch.
 * Usage: node --import tsx test/support/mail-collector.ts '<database options as JSON>' ORG_ID MAILBOX_ID
 */
import { openDatabase } from "../../src/db/database.ts";
import { collectMailbox } from "../../src/modules/mailboxes/collect.ts";

const [options, orgId, mailboxId] = process.argv.slice(2);
if (!options || !orgId || !mailboxId) throw new Error("arguments manquants");
const database = await openDatabase({ ...JSON.parse(options), purpose: "relève du courrier (test)" });
process.stdout.write("ready\n");
for (let n = 1; ; n++) {
  const result = await collectMailbox(database.db, orgId, mailboxId, { limit: 1 });
  if (result.error) throw new Error(result.error);
  if (result.registered + result.joined + result.ignored + result.duplicates === 0) break;
  process.stdout.write(`collected ${n}\n`);
}
process.stdout.write("done\n");
await database.close();
