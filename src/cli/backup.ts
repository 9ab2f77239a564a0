import path from "node:path";
import { exitIfBusy } from "../app/start.ts";
import { openDatabase } from "../db/database.ts";
import { loadConfig } from "../kernel/config.ts";
import { BackupError, backupEmbedded, backupFileName, backupPostgres } from "../modules/backup/backup.ts";
import { formatNumber } from "../ui/format.ts";
import { option } from "./args.ts";

/**
 * npm run backup [-- --out fichier]
 * PostgreSQL: pg_dump in its custom format, while the servers run. Embedded database: a copy of its
 * data folder, with the server stopped (the server makes its own each night in BACKUP_DIR).
 */
const config = loadConfig();
const now = new Date();
const engine = config.databaseUrl ? "postgres" : "pglite";
const file = path.resolve(option(process.argv.slice(2), "out") ?? path.join(config.backupDir, backupFileName(engine, now)));
try {
  let bytes: number;
  if (config.databaseUrl) {
    ({ bytes } = await backupPostgres(config.databaseUrl, config.databaseSchema ?? "public", file));
  } else {
    const database = await exitIfBusy(openDatabase({ dataDir: path.join(config.dataDir, "pglite"), purpose: "backup" }));
    try {
      ({ bytes } = await backupEmbedded(database.db, file));
    } finally {
      await database.close();
    }
  }
  console.log(`Sauvegarde écrite : ${file} (${formatNumber(bytes / 1024 / 1024, 1)} Mo)`);
} catch (error) {
  if (!(error instanceof BackupError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
