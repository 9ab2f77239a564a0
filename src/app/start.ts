import path from "node:path";
import { type Database, openDatabase } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { syncFrameworks } from "../modules/frameworks/frameworks.service.ts";
import type { Config } from "./config.ts";

/** Opens the configured database (PGlite under dataDir, or PostgreSQL) and brings its schema up to date. */
export async function openMigratedDatabase(config: Config): Promise<Database> {
  const database = await openDatabase({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    dataDir: path.join(config.dataDir, "pglite"),
  });
  await migrateToLatest(database.db, config.databaseUrl ? config.databaseSchema : undefined);
  await syncFrameworks(database.db);
  return database;
}
