import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { durableStartParams, makeDurable } from "./embedded-durability.ts";
import { startFromTemplate } from "./embedded-first-start.ts";
import { type EmbeddedLock, lockEmbeddedDatabase } from "./embedded-lock.ts";
import { PGliteDialect } from "./pglite-dialect.ts";
import type { DB } from "./schema.ts";

export type Engine = "pglite" | "postgres";

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** The embedded engine's lock on its folder (see embedded-lock.ts); absent on PostgreSQL and in memory. */
  lock?: EmbeddedLock | undefined;
  /** On the embedded engine: whether a commit is flushed to the disk before it returns (see embedded-durability.ts). */
  durable?: boolean;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… for a PostgreSQL server; absent for the embedded engine. */
  url?: string | undefined;
  /** With a server: the schema to work in, created if missing. */
  schema?: string | undefined;
  /** With PGlite: the folder holding the data, or undefined for an in-memory database. */
  dataDir?: string | undefined;
  /**
   * With PGlite in memory: a dump of a data folder (PGlite's dumpDataDir) to start from instead of an empty
   * cluster. The tests open every file's database from one migrated template this way (test/support/pglite-template.ts):
   * unpacking it costs a fraction of initdb and all the migrations.
   */
  loadDataDir?: Blob | undefined;
  /**
   * With PGlite on a data folder: a ready data folder to copy when the folder is new (src/db/embedded-template.ts),
   * so a first start skips initdb and the migrations it already holds. Ignored when the folder holds a database.
   */
  firstStartFrom?: string | undefined;
  /** Who opens an embedded folder (« serveur », « create-admin »…): named to the next process that tries. */
  purpose?: string | undefined;
  /** With a server: how long to wait for a new connection before failing (5 s by default). */
  connectTimeoutMs?: number | undefined;
  /**
   * With a server: the longest a statement may run before PostgreSQL cancels it (none by default, for the
   * command line; the web server sets one). Long imports lift it for their own transaction.
   */
  statementTimeoutMs?: number | undefined;
}

// Both engines hand back the same JavaScript values: bigint and numeric as text (no silent
// precision loss), dates as ISO text (a calendar date has no time zone), timestamps as Date.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const asText = (value: string) => value;
pg.types.setTypeParser(INT8, asText);
pg.types.setTypeParser(NUMERIC, asText);
pg.types.setTypeParser(DATE, asText);

/**
 * The extensions the embedded engine loads: pg_trgm for the trigram search of the lists (migration 0016).
 * Whoever opens PGlite on Vigie's schema (restore, benchmarks) passes these too.
 */
export const PGLITE_EXTENSIONS = { pg_trgm };

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`nom de schéma invalide : ${name}`);
  return `"${name}"`;
}

const pools = new WeakMap<Kysely<DB>, pg.Pool>();

/** The PostgreSQL pool behind a database opened here (for COPY), or undefined on the embedded engine. */
export function postgresPool(db: Kysely<DB>): pg.Pool | undefined {
  return pools.get(db);
}

const embedded = new WeakMap<Kysely<DB>, PGlite>();

/** The embedded engine behind a database opened here (for its data-folder dump), or undefined on PostgreSQL. */
export function embeddedEngine(db: Kysely<DB>): PGlite | undefined {
  return embedded.get(db);
}

/**
 * A pool on a PostgreSQL server with Vigie's settings: the schema, the statement timeout, the connection timeout,
 * and listeners so that a connection the server drops never ends the process. The primary and the read replica
 * (read-replica.ts) both use it.
 */
export function createPostgresPool(
  url: string,
  options: { schema?: string | undefined; connectTimeoutMs: number; statementTimeoutMs?: number | undefined; max?: number },
): pg.Pool {
  const settings = [
    ...(options.schema ? [`-c search_path=${quoteIdent(options.schema)}`] : []),
    ...(options.statementTimeoutMs ? [`-c statement_timeout=${Math.floor(options.statementTimeoutMs)}`] : []),
  ];
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // Without it a connection attempt to a frozen server waits for the system's TCP timeout (minutes).
    connectionTimeoutMillis: options.connectTimeoutMs,
    ...(settings.length ? { options: settings.join(" ") } : {}),
  });
  // An idle connection the server drops (restart, kill, network) is reported here; without a
  // listener Node ends the process. The pool has already discarded that connection and opens a
  // new one at the next query, so Vigie reconnects by itself once PostgreSQL is back.
  pool.on("error", (error) => {
    console.error(`PostgreSQL : connexion inactive perdue (${error.message}) ; une nouvelle sera ouverte à la prochaine requête.`);
  });
  // A connection lent out (inside a transaction, between two statements) has no pool listener: its
  // loss would end the process too. The statement that follows fails, is answered 503, and the
  // broken connection is discarded when Kysely releases it with the error.
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
  });
  return pool;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    if (options.schema) {
      const admin = new pg.Client({ connectionString: options.url, connectionTimeoutMillis: connectTimeoutMs });
      // A connection that dies here (the server stopping) must fail this opening, not end the process.
      admin.on("error", () => undefined);
      try {
        await admin.connect();
        await admin.query(`create schema if not exists ${quoteIdent(options.schema)}`);
      } finally {
        await admin.end().catch(() => undefined);
      }
    }
    const pool = createPostgresPool(options.url, { ...options, connectTimeoutMs });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    pools.set(db, pool);
    return { db, engine: "postgres", close: () => db.destroy() };
  }
  let dataDir: string | undefined;
  let lock: EmbeddedLock | undefined;
  if (options.dataDir) {
    dataDir = path.resolve(options.dataDir);
    mkdirSync(path.dirname(dataDir), { recursive: true });
    lock = lockEmbeddedDatabase(dataDir, options.purpose ?? "commande");
    try {
      if (options.firstStartFrom) startFromTemplate(dataDir, options.firstStartFrom);
    } catch (error) {
      lock.release();
      throw error;
    }
  }
  let pglite: PGlite;
  let durable = false;
  try {
    pglite = await PGlite.create({
      ...(dataDir ? { dataDir, startParams: durableStartParams() } : {}),
      ...(!dataDir && options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      parsers: { [INT8]: asText, [NUMERIC]: asText, [DATE]: asText },
      extensions: PGLITE_EXTENSIONS,
    });
    // In memory (tests) there is no disk to flush to.
    durable = dataDir ? makeDurable(pglite) : false;
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  embedded.set(db, pglite);
  return {
    db,
    engine: "pglite",
    lock,
    durable,
    close: async () => {
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}
