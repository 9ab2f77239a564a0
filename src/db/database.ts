import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { type EmbeddedLock, lockEmbeddedDatabase } from "./embedded-lock.ts";
import { PGliteDialect } from "./pglite-dialect.ts";
import type { DB } from "./schema.ts";

export type Engine = "pglite" | "postgres";

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** The embedded engine's lock on its folder (see embedded-lock.ts); absent on PostgreSQL and in memory. */
  lock?: EmbeddedLock | undefined;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… for a PostgreSQL server; absent for the embedded engine. */
  url?: string | undefined;
  /** With a server: the schema to work in, created if missing. */
  schema?: string | undefined;
  /** With PGlite: the folder holding the data, or undefined for an in-memory database. */
  dataDir?: string | undefined;
  /** Who opens an embedded folder (« serveur », « create-admin »…): named to the next process that tries. */
  purpose?: string | undefined;
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

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`nom de schéma invalide : ${name}`);
  return `"${name}"`;
}

const pools = new WeakMap<Kysely<DB>, pg.Pool>();

/** The PostgreSQL pool behind a database opened here (for COPY), or undefined on the embedded engine. */
export function postgresPool(db: Kysely<DB>): pg.Pool | undefined {
  return pools.get(db);
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    if (options.schema) {
      const admin = new pg.Client({ connectionString: options.url });
      await admin.connect();
      await admin.query(`create schema if not exists ${quoteIdent(options.schema)}`);
      await admin.end();
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: 10,
      ...(options.schema ? { options: `-c search_path=${quoteIdent(options.schema)}` } : {}),
    });
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
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      parsers: { [INT8]: asText, [NUMERIC]: asText, [DATE]: asText },
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    engine: "pglite",
    lock,
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
