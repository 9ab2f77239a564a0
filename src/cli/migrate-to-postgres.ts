import path from "node:path";
import { assembleModules } from "../app/modules.ts";
import { exitIfBusy } from "../app/start.ts";
import { openDatabase } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { loadConfig } from "../kernel/config.ts";
import { BackupError } from "../modules/backup/backup.ts";
import { moveToPostgres, tableDigests } from "../modules/backup/move-to-postgres.ts";
import { plural } from "../ui/format.ts";
import { option } from "./args.ts";

// The modules' error codes and contributions, as the server has them.
assembleModules();

/**
 * npm run migrate-to-postgres -- --to postgres://vigie:…@serveur/vigie [--schema public]
 * Copies the embedded database (server stopped) into a new PostgreSQL schema, checks every table on
 * both sides, and says how to start on PostgreSQL. The embedded folder is left as it was.
 */
const args = process.argv.slice(2);
const url = option(args, "to");
if (!url) {
  console.error("Indiquez le serveur PostgreSQL : npm run migrate-to-postgres -- --to postgres://utilisateur:motdepasse@serveur:5432/base");
  process.exit(1);
}
const schema = option(args, "schema") ?? "public";
const config = loadConfig();
const source = await exitIfBusy(openDatabase({ dataDir: path.join(config.dataDir, "pglite"), purpose: "migrate-to-postgres" }));
const target = await openDatabase({ url, schema });
try {
  await migrateToLatest(source.db);
  await migrateToLatest(target.db, schema);
  const report = await moveToPostgres(source.db, target.db);
  const [from, to] = [await tableDigests(source.db), await tableDigests(target.db)];
  const differing = Object.keys(from).filter((t) => from[t] !== to[t]);
  if (differing.length) throw new BackupError(`Après la copie, ces tables diffèrent : ${differing.join(", ")}.`);
  const rows = report.tables.reduce((n, t) => n + t.rows, 0);
  console.log(`${plural(report.tables.length, "table")} et ${plural(rows, "ligne")} copiées, toutes vérifiées.`);
  console.log(
    `Démarrez désormais Vigie avec DATABASE_URL=${url.replace(/:[^:@/]*@/, ":•••@")}${schema !== "public" ? ` DATABASE_SCHEMA=${schema}` : ""}.`,
  );
  console.log(`Le dossier ${config.dataDir}/pglite n'a pas été modifié : gardez-le jusqu'à ce que tout soit vérifié.`);
} catch (error) {
  if (!(error instanceof BackupError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  await target.close();
  await source.close();
}
