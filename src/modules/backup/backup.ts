import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type Kysely, sql } from "kysely";
import type { Database } from "../../db/database.ts";
import { embeddedEngine, PGLITE_EXTENSIONS } from "../../db/database.ts";
import { lockEmbeddedDatabase } from "../../db/embedded-lock.ts";
import type { DB } from "../../db/schema.ts";

/**
 * Backups of both engines, in each engine's own format so a restore needs nothing from Vigie's code:
 * the embedded engine's data folder as a gzip tarball (PGlite's dumpDataDir, loadable by any PGlite of
 * the same major version), PostgreSQL's custom-format dump (pg_dump -Fc, read by pg_restore).
 */
export const EMBEDDED_SUFFIX = ".tar.gz";
export const POSTGRES_SUFFIX = ".dump";

export class BackupError extends Error {
  override readonly name = "BackupError";
}

/** « vigie-2026-12-04-021500.tar.gz »: sorts by date, says which engine by its suffix. */
export function backupFileName(engine: Database["engine"], now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const day = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}`;
  return `vigie-${day}-${stamp.slice(9, 15)}${engine === "pglite" ? EMBEDDED_SUFFIX : POSTGRES_SUFFIX}`;
}

/** Writes a file whole under a temporary name, flushed to the disk, then renamed: never half a backup under its name. */
async function writeDurably(file: string, data: Uint8Array): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const draft = `${file}.partiel`;
  const handle = await open(draft, "w", 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  renameSync(draft, file);
}

/** The embedded database as it is now, in the file given. Runs between queries, not inside a transaction. */
export async function backupEmbedded(db: Kysely<DB>, file: string): Promise<{ bytes: number }> {
  const pglite = embeddedEngine(db);
  if (!pglite) throw new BackupError("Cette base n'est pas la base embarquée.");
  // Everything committed written to the data files first, so the copy needs no recovery to be read.
  await sql`checkpoint`.execute(db);
  const dump = await pglite.dumpDataDir("gzip");
  const data = new Uint8Array(await dump.arrayBuffer());
  await writeDurably(file, data);
  return { bytes: data.length };
}

/**
 * Replaces the embedded data folder by a backup. The current folder is kept aside, renamed, not
 * deleted: a restore from the wrong file is undone by renaming it back. The folder's lock is taken, so
 * nothing runs on it meanwhile.
 */
export async function restoreEmbedded(file: string, dataDir: string, now: Date): Promise<{ keptAside: string | null }> {
  if (!existsSync(file)) throw new BackupError(`Fichier de sauvegarde introuvable : ${file}`);
  const lock = lockEmbeddedDatabase(dataDir, "restore");
  try {
    let keptAside: string | null = null;
    if (existsSync(dataDir)) {
      keptAside = `${dataDir}.avant-restauration-${now.toISOString().replace(/[:.]/g, "-")}`;
      renameSync(dataDir, keptAside);
    }
    try {
      const pglite = await PGlite.create({ dataDir, loadDataDir: new Blob([readFileSync(file)]), extensions: PGLITE_EXTENSIONS });
      // A file that is not a PGlite data folder fails here, before anyone uses it.
      await pglite.query("select count(*) from organisations");
      await pglite.close();
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      if (keptAside) renameSync(keptAside, dataDir);
      throw new BackupError(`Ce fichier n'est pas une sauvegarde lisible de Vigie (base embarquée) : ${(error as Error).message}`);
    }
    return { keptAside };
  } finally {
    lock.release();
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        new BackupError(
          error.code === "ENOENT"
            ? `${command} est introuvable : installez les outils clients de PostgreSQL (paquet postgresql-client), de la même version que le serveur ou plus récente.`
            : error.message,
        ),
      ),
    );
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new BackupError(`${command} a échoué (code ${code}) : ${stderr.trim()}`))));
  });
}

/** pg_dump in its custom format, of Vigie's schema only. */
export async function backupPostgres(url: string, schema: string, file: string): Promise<{ bytes: number }> {
  mkdirSync(path.dirname(file), { recursive: true });
  const draft = `${file}.partiel`;
  await run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", `--schema=${schema}`, `--file=${draft}`, `--dbname=${url}`]);
  const handle = await open(draft, "r");
  await handle.sync();
  await handle.close();
  renameSync(draft, file);
  return { bytes: statSync(file).size };
}

/**
 * pg_restore over Vigie's schema: what it holds is dropped and replaced by the backup's content, in one
 * transaction run by psql. The partitioned tables (`calls`, `audit_log`, issue #13) are dropped first in
 * that transaction: pg_restore's own clean-up drops a partition's key before its table, which PostgreSQL
 * refuses for a key the partition inherits.
 */
export async function restorePostgres(url: string, schema: string, file: string): Promise<void> {
  if (!existsSync(file)) throw new BackupError(`Fichier de sauvegarde introuvable : ${file}`);
  const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
  // The whole script first: psql must never commit the beginning of a script whose end never came.
  const script = `${file}.restauration.sql`;
  try {
    await run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", `--schema=${schema}`, `--file=${script}`, file]);
    await run("psql", [
      "--no-psqlrc",
      "--quiet",
      "--single-transaction",
      "-v",
      "ON_ERROR_STOP=1",
      `--dbname=${url}`,
      `--command=drop table if exists ${q(schema)}.calls, ${q(schema)}.audit_log cascade`,
      `--file=${script}`,
    ]);
  } finally {
    rmSync(script, { force: true });
  }
}

/** Keeps the `keep` newest backups of a folder (by name, which sorts by date), removes the others. */
export function rotateBackups(dir: string, keep: number): string[] {
  const files = readdirSync(dir)
    .filter((f) => /^vigie-\d{4}-\d{2}-\d{2}-\d{6}\.(tar\.gz|dump)$/.test(f))
    .sort()
    .reverse();
  const removed = files.slice(keep);
  for (const f of removed) rmSync(path.join(dir, f));
  return removed;
}
