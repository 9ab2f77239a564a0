import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cdrLine, expectedFigures, randomCalls } from "../../test/support/call-logs.ts";
import { engineName, openTestDatabase, type TestDatabase } from "../../test/support/database.ts";
import { openMigratedDatabase } from "../app/start.ts";
import type { DB } from "../db/schema.ts";
import { loadConfig } from "../kernel/config.ts";
import { callFigures } from "../modules/calls/calls.service.ts";
import { createOrganisation } from "../modules/organisations/organisations.service.ts";

const run = promisify(execFile);
const ROOT = { accountId: "00000000-0000-0000-0000-000000000000", email: "x", displayName: "x", instanceAdmin: true, grants: [] };

/**
 * `npm run import:calls` as an administrator runs it, in a process of its own: on PostgreSQL against
 * the test's schema; on PGlite against a data folder that the test opens only while the command is
 * not running (the embedded engine's folder is not shared between processes).
 */
describe(`npm run import:calls, on ${engineName}`, () => {
  let server: TestDatabase | undefined;
  let dir = "";
  let orgId = "";
  const calls = randomCalls(99, 500, ["file-accueil"]).map((c) => ({ ...c, inbound: true }));
  const lines = calls.map((c, i) => cdrLine(c, i));
  lines.splice(3, 0, '"","0612","3000","from-trunk"');
  const env = () => ({
    ...process.env,
    DATA_DIR: dir,
    ...(server?.url ? { DATABASE_URL: server.url, DATABASE_SCHEMA: server.schema ?? "" } : {}),
  });

  /** The database the command uses, opened for a moment. */
  async function withDb<T>(fn: (db: Kysely<DB>) => Promise<T>): Promise<T> {
    if (server) return fn(server.db);
    const database = await openMigratedDatabase(loadConfig({ DATA_DIR: dir }), "test");
    try {
      return await fn(database.db);
    } finally {
      await database.close();
    }
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigie-cli-"));
    if (process.env.VIGIE_TEST_DATABASE_URL) server = await openTestDatabase();
    await writeFile(path.join(dir, "Master.csv"), `${lines.join("\n")}\n`);
    orgId = await withDb(
      async (db) =>
        (await createOrganisation(db, ROOT, { name: "Mairie", kind: "site", timeZone: "Europe/Paris", holidayZone: "metropole" })).id,
    );
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    run("npx", ["tsx", "src/cli/import-calls.ts", ...args], { env: env() }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  const offered = () => withDb(async (db) => (await callFigures(db, orgId, { from: "2026-01-01", to: "2026-03-31" })).total);

  it("lists the faulty line and records nothing, then records the valid lines when asked", async () => {
    const first = await cli(path.join(dir, "Master.csv"), "--org", orgId);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("ligne 4 : 4 colonnes au lieu de 16 à 18");
    expect(first.stderr).toContain("100 %");
    expect((await offered()).offered).toBe(0);

    const second = await cli(path.join(dir, "Master.csv"), "--org", orgId, "--accept-valid");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`${calls.length} appels ajoutés, 0 déjà connus`);
    const want = expectedFigures(calls, 25);
    expect(await offered()).toMatchObject({ offered: want.offered, answered: want.answered, withinRings: want.within });
  }, 120_000);

  it("says so when the organisation does not exist", async () => {
    const r = await cli(path.join(dir, "Master.csv"), "--org", "11111111-1111-4111-8111-111111111111");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Organisation introuvable.");
  }, 60_000);
});
