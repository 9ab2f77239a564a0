import path from "node:path";
import { type Database, openDatabase } from "../db/database.ts";
import { EmbeddedDatabaseBusy } from "../db/embedded-lock.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { syncFrameworks } from "../modules/frameworks/frameworks.service.ts";
import type { Config } from "./config.ts";

/** Opens the configured database (PGlite under dataDir, or PostgreSQL) and brings its schema up to date. */
export async function openMigratedDatabase(config: Config, purpose: string): Promise<Database> {
  const database = await openDatabase({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    dataDir: path.join(config.dataDir, "pglite"),
    purpose,
  });
  await migrateToLatest(database.db, config.databaseUrl ? config.databaseSchema : undefined);
  await syncFrameworks(database.db);
  return database;
}

/**
 * For the server and the command line: an embedded database another process holds ends this one with
 * the French message naming the holder, not a stack trace, and before anything was written.
 */
export async function exitIfBusy<T>(opening: Promise<T>): Promise<T> {
  try {
    return await opening;
  } catch (error) {
    if (!(error instanceof EmbeddedDatabaseBusy)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

export function openOrExit(config: Config, purpose: string): Promise<Database> {
  return exitIfBusy(openMigratedDatabase(config, purpose));
}
