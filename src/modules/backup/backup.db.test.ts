import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Kysely, sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openTestDatabase, TEST_DATABASE_URL } from "../../../test/support/database.ts";
import { buildRouteFixture } from "../../../test/support/route-fixture.ts";
import { openDatabase } from "../../db/database.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import type { DB } from "../../db/schema.ts";
import { syncFrameworks } from "../frameworks/frameworks.service.ts";
import { dailySchedules, enqueueDailySchedules, runDueJobs, unscheduleDaily } from "../jobs/jobs.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";
import { scheduleNightlyBackup } from "./backup.jobs.ts";
import { BackupError, backupEmbedded, backupFileName, backupPostgres, restoreEmbedded, restorePostgres, rotateBackups } from "./backup.ts";
import { moveToPostgres, tableDigests } from "./move-to-postgres.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "vigie-backup-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every table of the schema, each as its row count and a digest of all its rows in a fixed order. */
async function fingerprint(db: Kysely<DB>): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const out: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const t = sql.table(name);
    const row = await sql<{ n: string; digest: string | null }>`
      select count(*) as n, md5(string_agg(r::text, E'\\n' order by r::text)) as digest from ${t} r`.execute(db);
    out[name] = `${row.rows[0]?.n}:${row.rows[0]?.digest ?? "-"}`;
  }
  return out;
}

/** What a lost afternoon looks like: rows gone from several modules, and a stray one added. */
async function damage(db: Kysely<DB>): Promise<void> {
  await sql`delete from request_events`.execute(db);
  await sql`delete from survey_responses`.execute(db);
  await sql`update organisations set name = 'Écrasé' where kind = 'site'`.execute(db);
}

describe("backup names and rotation", () => {
  it("names backups by date and engine, and keeps the newest", () => {
    expect(backupFileName("pglite", new Date("2026-12-04T02:15:00Z"))).toBe("vigie-2026-12-04-021500.tar.gz");
    expect(backupFileName("postgres", new Date("2026-12-04T02:15:00Z"))).toBe("vigie-2026-12-04-021500.dump");
    const dir = tempDir();
    for (let d = 1; d <= 10; d++) writeFileSync(path.join(dir, `vigie-2026-11-${String(d).padStart(2, "0")}-020000.tar.gz`), "x");
    writeFileSync(path.join(dir, "notes.txt"), "à garder");
    expect(rotateBackups(dir, 7)).toEqual([
      "vigie-2026-11-03-020000.tar.gz",
      "vigie-2026-11-02-020000.tar.gz",
      "vigie-2026-11-01-020000.tar.gz",
    ]);
    expect(readdirSync(dir).sort()[0]).toBe("notes.txt");
    expect(readdirSync(dir)).toHaveLength(8);
  });
});

describe.skipIf(Boolean(TEST_DATABASE_URL))("backup and restore of the embedded database", () => {
  it("gives back every table as it was, and keeps the replaced folder aside", { timeout: 120_000 }, async () => {
    const root = tempDir();
    const dataDir = path.join(root, "pglite");
    const database = await openDatabase({ dataDir, purpose: "test" });
    await migrateToLatest(database.db);
    await syncFrameworks(database.db);
    await buildRouteFixture(database.db, "mot de passe de test");
    const before = await fingerprint(database.db);
    const file = path.join(root, backupFileName("pglite", new Date()));
    const { bytes } = await backupEmbedded(database.db, file);
    expect(bytes).toBeGreaterThan(100_000);
    await damage(database.db);
    expect(await fingerprint(database.db)).not.toEqual(before);
    await database.close();

    const { keptAside } = await restoreEmbedded(file, dataDir, new Date());
    expect(keptAside && existsSync(keptAside)).toBe(true);
    const restored = await openDatabase({ dataDir, purpose: "test" });
    try {
      expect(await fingerprint(restored.db)).toEqual(before);
    } finally {
      await restored.close();
    }
  });

  it("is taken each night by the server's queue, from 2 a.m., and only the newest are kept", { timeout: 120_000 }, async () => {
    const root = tempDir();
    const backups = path.join(root, "sauvegardes");
    const database = await openDatabase({ dataDir: path.join(root, "pglite"), purpose: "test" });
    try {
      await migrateToLatest(database.db);
      // Only the backup's schedule: the application's others, loaded with its modules in every test file
      // (test/support/assemble.ts), would run too at these hours.
      for (const s of dailySchedules()) unscheduleDaily(s.name);
      scheduleNightlyBackup(backups, 2);
      const nights = ["2026-12-01T01:30:00Z", "2026-12-02T01:30:00Z", "2026-12-03T03:00:00Z"];
      // 1:00 in Paris is before the hour: nothing yet that night.
      expect(await enqueueDailySchedules(database.db, new Date("2026-12-01T00:00:00Z"))).toBe(0);
      for (const night of nights) {
        expect(await enqueueDailySchedules(database.db, new Date(night))).toBe(1);
        expect(await runDueJobs(database.db, { now: new Date(night) })).toMatchObject({ done: 1, failed: 0 });
      }
      expect(readdirSync(backups).sort()).toEqual(["vigie-2026-12-02-013000.tar.gz", "vigie-2026-12-03-030000.tar.gz"]);
    } finally {
      await database.close();
    }
  });

  it("refuses a file that is not a backup, and leaves the folder as it was", async () => {
    const root = tempDir();
    const dataDir = path.join(root, "pglite");
    const database = await openDatabase({ dataDir, purpose: "test" });
    await migrateToLatest(database.db);
    await database.close();
    const bogus = path.join(root, "faux.tar.gz");
    writeFileSync(bogus, "ceci n'est pas une sauvegarde");
    await expect(restoreEmbedded(bogus, dataDir, new Date())).rejects.toBeInstanceOf(BackupError);
    const again = await openDatabase({ dataDir, purpose: "test" });
    await sql`select count(*) from organisations`.execute(again.db);
    await again.close();
  });
});

describe.skipIf(!TEST_DATABASE_URL)("backup and restore on PostgreSQL", () => {
  it("gives back every table of Vigie's schema as it was", { timeout: 120_000 }, async () => {
    const database = await openTestDatabase();
    try {
      await buildRouteFixture(database.db, "mot de passe de test");
      const before = await fingerprint(database.db);
      const file = path.join(tempDir(), backupFileName("postgres", new Date()));
      await backupPostgres(database.url ?? "", database.schema ?? "", file);
      await damage(database.db);
      expect(await fingerprint(database.db)).not.toEqual(before);
      await restorePostgres(database.url ?? "", database.schema ?? "", file);
      expect(await fingerprint(database.db)).toEqual(before);
    } finally {
      await database.close();
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL)("moving an embedded instance to PostgreSQL", () => {
  it("copies every row, and the PostgreSQL instance goes on from there", { timeout: 120_000 }, async () => {
    const embedded = await openDatabase({});
    await migrateToLatest(embedded.db);
    await syncFrameworks(embedded.db);
    const { root } = await buildRouteFixture(embedded.db, "mot de passe de test");
    const target = await openTestDatabase();
    try {
      const report = await moveToPostgres(embedded.db, target.db);
      expect(report.tables.find((t) => t.name === "organisations")?.rows).toBe(5);
      expect(await tableDigests(target.db)).toEqual(await tableDigests(embedded.db));
      // Ids drawn from sequences after the move come after the copied ones.
      const site = await createOrganisation(target.db, root, {
        name: "Mairie annexe",
        kind: "site",
        parentId: undefined,
        timeZone: "Europe/Paris",
        holidayZone: "metropole",
        addressStreet: undefined,
        addressPostcode: undefined,
        addressCity: undefined,
        siret: undefined,
      });
      expect(site.name).toBe("Mairie annexe");
      // A second move onto a schema that now holds organisations is refused, and changes nothing.
      const before = await tableDigests(target.db);
      await expect(moveToPostgres(embedded.db, target.db)).rejects.toThrow(/contient déjà des comptes ou des organisations/);
      expect(await tableDigests(target.db)).toEqual(before);
    } finally {
      await target.close();
      await embedded.close();
    }
  });
});
