/**
 * A process that writes to an embedded database and says each commit on standard output once it has
 * returned, so a test can kill it at any point and check that what was acknowledged is there.
 * Usage: node --import tsx test/support/embedded-writer.ts DATA_DIR
 */
import { sql } from "kysely";
import { openDatabase } from "../../src/db/database.ts";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("dossier manquant");
const database = await openDatabase({ dataDir, purpose: "test d'écriture" });
await sql`create table if not exists acknowledged (n integer primary key, payload text not null)`.execute(database.db);
process.stdout.write(`ready durable=${database.durable}\n`);
for (let n = 1; ; n++) {
  await database.db.transaction().execute(async (trx) => {
    await sql`insert into acknowledged (n, payload) values (${n}, ${"x".repeat(500)})`.execute(trx);
  });
  process.stdout.write(`ack ${n}\n`);
}
