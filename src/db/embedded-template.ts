import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { type Kysely, sql } from "kysely";
import { openDatabase } from "./database.ts";
import { migrateToLatest } from "./migrate.ts";
import type { DB } from "./schema.ts";

/**
 * The first start of an embedded instance from a ready-made data folder (issue #17, point 6: first
 * start < 3 s). A fresh folder otherwise pays for initdb, every migration and the reference data: about
 * 4.4 s of a 7 to 9 s first start (measured 5 December 2026). The build (scripts/build.mjs) makes, once per
 * version, the dump of an empty instance in that state beside the compiled server; the first start unpacks
 * it (about 1.3 s) and the migrator then runs as on every start, so a dump older than the code is caught up.
 *
 * What the dump holds is the same for every instance: schema, frameworks and levers. Nothing of one
 * instance is made before its first start (the instance secret, the sessions' key, the first
 * administrator are created on first use), so two instances started from it share no secret; a test
 * checks it. A dump made by another version of PGlite is not used: its files would not open.
 */
/** The folder the build leaves beside the compiled server, and the note saying which PGlite made it. */
export const TEMPLATE_DIR = "pglite-template";
const STAMP_FILE = "pglite-template.json";

interface Stamp {
  pglite: string;
}

/** The installed PGlite's version, read from its package.json (not among the package's exports). */
function pgliteVersion(): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  for (;;) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version: string };
      if (pkg.name === "@electric-sql/pglite") return pkg.version;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error("version de PGlite introuvable");
    dir = up;
  }
}

/**
 * Builds, in `dir`, the data folder of an empty, migrated instance with its reference data, closed
 * cleanly. `seed` writes the reference data (the frameworks module's `syncFrameworks`, passed by the
 * build script: the database layer does not import modules). A folder rather than a PGlite dump: copying files is a fraction of what unpacking a dump
 * through PGlite's file system costs (about 1.5 s), and the first start then opens it like a restart.
 */
export async function writeEmbeddedTemplate(dir: string, seed: (db: Kysely<DB>) => Promise<unknown>): Promise<void> {
  const target = path.join(dir, TEMPLATE_DIR);
  rmSync(target, { recursive: true, force: true });
  const database = await openDatabase({ dataDir: target, purpose: "modèle" });
  try {
    await migrateToLatest(database.db);
    await seed(database.db);
    // A checkpoint, so the first start begins from a clean state instead of replaying the log.
    await sql`checkpoint`.execute(database.db);
  } finally {
    await database.close();
  }
  writeFileSync(path.join(dir, STAMP_FILE), JSON.stringify({ pglite: pgliteVersion() } satisfies Stamp));
}

/**
 * The data folder to start a new embedded folder from, or undefined: when no template sits in `dir`, or
 * when another version of PGlite made it (its files would not open).
 */
export function embeddedTemplateIn(dir: string | undefined): string | undefined {
  if (!dir) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(path.join(dir, STAMP_FILE), "utf8")) as Stamp;
    const template = path.join(dir, TEMPLATE_DIR);
    if (stamp.pglite !== pgliteVersion() || !existsSync(path.join(template, "PG_VERSION"))) return undefined;
    return template;
  } catch {
    return undefined;
  }
}
