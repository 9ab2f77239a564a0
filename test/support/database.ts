import { randomBytes } from "node:crypto";
import { openAsBlob } from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { type Database, openDatabase, quoteIdent } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { syncFrameworks } from "../../src/modules/frameworks/frameworks.service.ts";
import { TEMPLATE_ENV, TEMPLATE_FILES } from "./pglite-template.ts";

/**
 * The embedded template this run built (pglite-template.ts, vitest's globalSetup), or undefined outside vitest
 * (the benchmarks): then the database is built from nothing, as before.
 */
async function pgliteTemplate(referenceData: boolean): Promise<Blob | undefined> {
  const dir = process.env[TEMPLATE_ENV];
  if (!dir) return undefined;
  return openAsBlob(path.join(dir, referenceData ? TEMPLATE_FILES.reference : TEMPLATE_FILES.schema));
}

/**
 * The database a test file runs on: an in-memory PGlite by default (unpacked from the run's template when there is one), or — when
 * VIGIE_TEST_DATABASE_URL is set — a fresh schema of that PostgreSQL server, dropped afterwards,
 * so runs on the same server never meet.
 */
export interface TestDatabase extends Database {
  schema: string | undefined;
  url: string | undefined;
}

export const TEST_DATABASE_URL = process.env.VIGIE_TEST_DATABASE_URL || undefined;

/** `referenceData: false` skips loading the frameworks and levers, for tests that do not need them. */
export async function openTestDatabase(options: { referenceData?: boolean } = {}): Promise<TestDatabase> {
  const url = TEST_DATABASE_URL;
  const schema = url ? `test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}` : undefined;
  const referenceData = options.referenceData !== false;
  const database = await openDatabase({ url, schema, loadDataDir: url ? undefined : await pgliteTemplate(referenceData) });
  const dropSchema = async () => {
    if (!url || !schema) return;
    const admin = await openDatabase({ url });
    await sql.raw(`drop schema if exists ${quoteIdent(schema)} cascade`).execute(admin.db);
    await admin.close();
  };
  try {
    // On a template both find nothing left to do; they stay so that a database is never older than the tree.
    await migrateToLatest(database.db, schema);
    if (referenceData) await syncFrameworks(database.db);
  } catch (error) {
    // A failed start must not leave its schema behind for the next runs to trip on.
    await database.close();
    await dropSchema();
    throw error;
  }
  return {
    ...database,
    schema,
    url,
    close: async () => {
      await database.close();
      await dropSchema();
    },
  };
}

export const engineName = TEST_DATABASE_URL ? "postgres" : "pglite";
