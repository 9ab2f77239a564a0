import path from "node:path";
import { sql } from "kysely";
import { exitIfBusy } from "../app/start.ts";
import { openDatabase } from "../db/database.ts";
import { EmbeddedDatabaseBusy } from "../db/embedded-lock.ts";
import { loadConfig } from "../kernel/config.ts";
import { BackupError, restoreEmbedded, restorePostgres } from "../modules/backup/backup.ts";
import { plural } from "../ui/format.ts";

/**
 * npm run restore -- fichier [--force]
 * Replaces every datum of this instance by the backup's. On PostgreSQL, with data present, asks for
 * --force. On the embedded engine the server must be stopped; the folder replaced is kept aside.
 */
const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
if (!file) {
  console.error("Indiquez le fichier de sauvegarde : npm run restore -- data/sauvegardes/vigie-AAAA-MM-JJ-HHMMSS.tar.gz");
  process.exit(1);
}
const config = loadConfig();
try {
  if (config.databaseUrl) {
    const schema = config.databaseSchema ?? "public";
    const database = await openDatabase({ url: config.databaseUrl, schema });
    // A schema without Vigie's tables yet (a new server) holds nothing to lose.
    const present = await sql<{ n: string }>`select count(*) as n from organisations`
      .execute(database.db)
      .then((r) => Number(r.rows[0]?.n ?? 0))
      .catch(() => 0);
    await database.close();
    if (present > 0 && !args.includes("--force")) {
      console.error(
        `Le schéma ${schema} contient déjà ${plural(present, "organisation")} : la restauration remplacerait toutes ses données par celles de la sauvegarde. Relancez avec --force pour confirmer.`,
      );
      process.exit(1);
    }
    await restorePostgres(config.databaseUrl, schema, path.resolve(file));
    console.log(`Base restaurée depuis ${file}.`);
  } else {
    const { keptAside } = await exitIfBusy(restoreEmbedded(path.resolve(file), path.join(config.dataDir, "pglite"), new Date()));
    console.log(`Base embarquée restaurée depuis ${file}.`);
    if (keptAside) console.log(`L'ancien dossier est conservé sous ${keptAside} : supprimez-le quand la restauration est vérifiée.`);
  }
} catch (error) {
  if (!(error instanceof BackupError) && !(error instanceof EmbeddedDatabaseBusy)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
