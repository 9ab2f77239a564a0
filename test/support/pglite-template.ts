/**
 * Vitest globalSetup: builds, once per run, the embedded database every test file starts from.
 *
 * Opening an in-memory PGlite from nothing runs initdb, every migration and the reference data load: 5 to 11 s
 * per file on the loaded two-core CI machine (measured 4 December 2026), paid by some fifty files. Unpacking a
 * dump of a database already in that state takes about 2 s. The template is rebuilt at every run from the
 * migrations and reference files of the tree being tested, so it can never be stale; openTestDatabase still
 * runs the migrator and the reference sync on top of it, which find nothing to do (and would catch up if the
 * template were somehow older).
 *
 * Two dumps: migrated only (for `referenceData: false`), and migrated with the frameworks and levers loaded.
 * On PostgreSQL (VIGIE_TEST_DATABASE_URL set) nothing is built: each file migrates its own schema.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { embeddedEngine, openDatabase } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { syncFrameworks } from "../../src/modules/frameworks/frameworks.service.ts";

/** The variable naming the folder of the dumps; the test workers inherit it from this process. */
export const TEMPLATE_ENV = "VIGIE_TEST_PGLITE_TEMPLATE";
export const TEMPLATE_FILES = { schema: "schema.tar", reference: "reference.tar" } as const;

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.VIGIE_TEST_DATABASE_URL) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), "vigie-pglite-template-"));
  const database = await openDatabase({});
  try {
    const dump = async (file: string) => {
      // A checkpoint first, so that each file's engine starts from a clean state instead of replaying the log.
      await sql`checkpoint`.execute(database.db);
      // Uncompressed: gzip would save disk space but each of the fifty openings would pay to inflate it.
      const tarball = await embeddedEngine(database.db)?.dumpDataDir("none");
      if (!tarball) throw new Error("PGlite attendu pour le modèle des bases de test");
      writeFileSync(path.join(dir, file), Buffer.from(await tarball.arrayBuffer()));
    };
    await migrateToLatest(database.db);
    await dump(TEMPLATE_FILES.schema);
    await syncFrameworks(database.db);
    await dump(TEMPLATE_FILES.reference);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    await database.close();
  }
  process.env[TEMPLATE_ENV] = dir;
  return () => {
    delete process.env[TEMPLATE_ENV];
    rmSync(dir, { recursive: true, force: true });
  };
}
