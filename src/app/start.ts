import path from "node:path";
import type { Kysely } from "kysely";
import { type Database, openDatabase } from "../db/database.ts";
import { EmbeddedDatabaseBusy } from "../db/embedded-lock.ts";
import { embeddedTemplateIn } from "../db/embedded-template.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { openReadReplica } from "../db/read-replica.ts";
import type { DB } from "../db/schema.ts";
import { isDatabaseUnavailable } from "../db/unavailable.ts";
import type { Config } from "../kernel/config.ts";
import { syncFrameworks } from "../modules/frameworks/frameworks.service.ts";

/** Opens the configured database (PGlite under dataDir, or PostgreSQL) and brings its schema up to date. */
export async function openMigratedDatabase(
  config: Config,
  purpose: string,
  /** Where the build left the dump a fresh embedded folder starts from (the compiled server's folder). */
  templateDir?: string,
): Promise<Database> {
  const dataDir = path.join(config.dataDir, "pglite");
  const database = await openDatabase({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    dataDir,
    firstStartFrom: config.databaseUrl ? undefined : embeddedTemplateIn(templateDir),
    purpose,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
  });
  try {
    await migrateToLatest(database.db, config.databaseUrl ? config.databaseSchema : undefined);
    await syncFrameworks(database.db);
  } catch (error) {
    // The next attempt opens its own pool: this one must not linger.
    await database.close().catch(() => undefined);
    throw error;
  }
  return database;
}

/**
 * The database of the pages that only read (AppDeps.readDb): the replica of DATABASE_READ_URL, or the primary itself.
 * A replica beside the embedded engine is a configuration mistake, refused with a French message rather than ignored.
 */
export function openReadDatabase(config: Config, primary: Database): { readDb: Kysely<DB>; close(): Promise<void> } {
  if (!config.databaseReadUrl) return { readDb: primary.db, close: async () => undefined };
  if (primary.engine !== "postgres") {
    throw new Error("DATABASE_READ_URL demande PostgreSQL : définissez aussi DATABASE_URL, ou retirez DATABASE_READ_URL (base embarquée).");
  }
  const replica = openReadReplica(primary.db, {
    url: config.databaseReadUrl,
    schema: config.databaseSchema,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
  });
  return { readDb: replica.db, close: () => replica.close() };
}

export interface RetryOptions {
  /** The first pause after a failed attempt; it doubles each time. */
  firstDelayMs?: number;
  /** The longest pause between two attempts. */
  maxDelayMs?: number;
  log?: (message: string) => void;
}

/**
 * Runs `attempt` until the database answers: while it is unreachable (stopped, starting up, too slow
 * to connect), waits and tries again, with a pause doubling from 1 s up to 30 s. Any other failure (a
 * migration that fails, an embedded folder held by another process) is no outage and ends the wait.
 */
export async function untilDatabaseReachable<T>(attempt: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const log = options.log ?? ((message: string) => console.error(message));
  let delayMs = options.firstDelayMs ?? 1_000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const seconds = delayMs / 1000;
      log(
        `Base de données injoignable (${(error as Error).message || (error as { code?: string }).code}), nouvel essai dans ${seconds.toLocaleString("fr-FR")} s`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, maxDelayMs);
    }
  }
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

/**
 * For the server: like openOrExit, but waits for a PostgreSQL server that is down instead of exiting.
 * The server listens only once the schema is up to date, so a port that answers means pages that work;
 * a supervisor starting Vigie before PostgreSQL (a reboot, a failover) needs no ordering of its own.
 */
export function openWhenReachable(
  config: Config,
  purpose: string,
  options: RetryOptions & { templateDir?: string } = {},
): Promise<Database> {
  return exitIfBusy(untilDatabaseReachable(() => openMigratedDatabase(config, purpose, options.templateDir), options));
}
