import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncFrameworks } from "../modules/frameworks/frameworks.service.ts";
import { sealSecret } from "../modules/mailboxes/secret-box.ts";
import { openDatabase } from "./database.ts";
import { startFromTemplate } from "./embedded-first-start.ts";
import { embeddedTemplateIn, writeEmbeddedTemplate } from "./embedded-template.ts";
import { migrateToLatest } from "./migrate.ts";

/**
 * The first start of an embedded instance from the folder the build makes (issue #17, point 6): the same
 * schema and reference data as a fresh one, nothing of one instance shared with another.
 */
describe.skipIf(Boolean(process.env.VIGIE_TEST_DATABASE_URL))("first start from the build's template", () => {
  const root = mkdtempSync(path.join(tmpdir(), "vigie-template-"));
  let template: string | undefined;

  beforeAll(async () => {
    await writeEmbeddedTemplate(root, syncFrameworks);
    template = embeddedTemplateIn(root);
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const shape = async (dataDir?: string) => {
    const database = await openDatabase(dataDir ? { dataDir, firstStartFrom: template } : {});
    try {
      await migrateToLatest(database.db);
      await syncFrameworks(database.db);
      const migrations = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
      const tables = await sql<{ name: string }>`
        select table_name as name from information_schema.tables where table_schema = 'public' order by 1`.execute(database.db);
      const settings = await sql<{ key: string }>`select key from settings order by key`.execute(database.db);
      const counts = await sql<{ accounts: number; frameworks: number; levers: number }>`
        select (select count(*)::int from accounts) as accounts, (select count(*)::int from frameworks) as frameworks,
               (select count(*)::int from levers) as levers`.execute(database.db);
      return {
        migrations: migrations.rows.map((r) => r.name),
        tables: tables.rows.map((r) => r.name),
        settings: settings.rows.map((r) => r.key),
        counts: counts.rows[0],
        // The key of the mailboxes' secrets, created at its first use like every instance secret.
        secret: await sealSecret(database.db, "x").then(
          async () =>
            (await sql<{ value: string }>`select value::text from settings where key = 'mailbox_secret_key'`.execute(database.db)).rows[0]
              ?.value,
        ),
      };
    } finally {
      await database.close();
    }
  };

  it("gives the schema and reference data of a fresh instance, and each instance its own secret", async () => {
    expect(template).toBeDefined();
    const fresh = await shape();
    const first = await shape(path.join(root, "a", "pglite"));
    const second = await shape(path.join(root, "b", "pglite"));
    for (const started of [first, second]) {
      expect(started.migrations).toEqual(fresh.migrations);
      expect(started.tables).toEqual(fresh.tables);
      expect(started.settings).toEqual(fresh.settings);
      expect(started.counts).toEqual(fresh.counts);
    }
    expect(first.counts?.accounts).toBe(0);
    expect(first.counts?.frameworks).toBeGreaterThan(0);
    // Created on first use, in each instance: never carried by the template.
    expect(first.secret).not.toBe(second.secret);
    // Opened again, the folder is a restart: the template is not copied over it.
    expect(startFromTemplate(path.join(root, "a", "pglite"), template ?? "")).toBe(false);
    expect((await shape(path.join(root, "a", "pglite"))).secret).toBe(first.secret);
  }, 120_000);

  it("is not used when another version of PGlite made it", () => {
    const stamp = path.join(root, "pglite-template.json");
    const kept = readFileSync(stamp, "utf8");
    writeFileSync(stamp, JSON.stringify({ pglite: "0.0.1" }));
    expect(embeddedTemplateIn(root)).toBeUndefined();
    writeFileSync(stamp, kept);
    expect(embeddedTemplateIn(root)).toBe(template);
    expect(embeddedTemplateIn(undefined)).toBeUndefined();
  });
});
