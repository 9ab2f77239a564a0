import path from "node:path";
import { exitIfBusy } from "../app/start.ts";
import { openDatabase } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { loadConfig } from "../kernel/config.ts";

const config = loadConfig();
const database = await exitIfBusy(
  openDatabase({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    dataDir: path.join(config.dataDir, "pglite"),
    purpose: "migrate",
  }),
);
try {
  const applied = await migrateToLatest(database.db, config.databaseUrl ? config.databaseSchema : undefined);
  console.log(applied.length ? `Migrations appliquées : ${applied.join(", ")}` : "Le schéma est déjà à jour.");
} finally {
  await database.close();
}
