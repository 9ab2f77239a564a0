import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cdrLine, randomCalls } from "../../../test/support/call-logs.ts";
import { TEST_DATABASE_URL } from "../../../test/support/database.ts";
import { type Database, type DatabaseOptions, openDatabase, quoteIdent } from "../../db/database.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import { SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { syncFrameworks } from "../frameworks/frameworks.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";
import {
  commitImport,
  createImport,
  discardImport,
  getImport,
  isInterrupted,
  LOST_MESSAGE,
  resumeImport,
  runImport,
  stagedLost,
} from "./calls.service.ts";
import { importFilePath } from "./upload.ts";
import { quotaRefusal, sweepCallUploads } from "./upload-sweep.ts";

const COUNT = 12_000;

/**
 * A call-log import killed (SIGKILL) in the middle, then taken up by the next process: nothing of the
 * file in the calls before it is recorded whole, the import shown interrupted at once (its runner's pid is
 * gone), « Reprendre » records every call once with rollups equal to the calls, « Abandonner » drops
 * one. A read file waiting for its decision survives a kill, or says its staged calls were lost: never a
 * partial recording. Then what the crash left in the upload folder. On PostgreSQL (a schema of the test
 * server; the COPY way) and on the embedded engine (a data folder the killed process held).
 */
describe("call-log import killed mid-way and taken up again", () => {
  let options: DatabaseOptions;
  let dir: string | undefined;
  const uploads = mkdtempSync(join(tmpdir(), "vigie-uploads-"));
  let orgId = "";
  let lines: string[] = [];

  beforeAll(async () => {
    process.env.VIGIE_UPLOAD_DIR = uploads;
    if (TEST_DATABASE_URL) {
      options = { url: TEST_DATABASE_URL, schema: `test_callcrash_${randomBytes(4).toString("hex")}` };
    } else {
      dir = mkdtempSync(join(tmpdir(), "vigie-callcrash-"));
      options = { dataDir: dir };
    }
    const database = await openDatabase(options);
    try {
      await migrateToLatest(database.db, options.schema);
      await syncFrameworks(database.db);
      orgId = (
        await createOrganisation(
          database.db,
          {
            accountId: "00000000-0000-4000-8000-0000000000aa",
            email: "root@test.fr",
            displayName: "Root",
            instanceAdmin: true,
            grants: [],
          },
          {
            name: "Mairie de Dole",
            kind: "site",
            parentId: undefined,
            timeZone: "Europe/Paris",
            holidayZone: "metropole",
            addressStreet: undefined,
            addressPostcode: undefined,
            addressCity: undefined,
            siret: undefined,
          },
        )
      ).id;
    } finally {
      await database.close();
    }
    lines = randomCalls(17, COUNT, ["file-accueil", "0384000000"]).map((c, i) => cdrLine(c, i));
  }, 120_000);

  afterAll(async () => {
    rmSync(uploads, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (options?.url && options.schema) {
      const admin = await openDatabase({ url: options.url });
      await sql.raw(`drop schema if exists ${quoteIdent(options.schema)} cascade`).execute(admin.db);
      await admin.close();
    }
  });

  const withDatabase = async <T>(work: (database: Database) => Promise<T>): Promise<T> => {
    const database = await openDatabase(options);
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  };

  /** An uploaded file and its import, as the upload route leaves them. */
  const upload = (database: Database, name: string, content: string[], org = orgId) =>
    createImport(database.db, SYSTEM_ACTOR, org, { fileName: name, format: "asterisk", bytes: 1 }).then((id) => {
      writeFileSync(importFilePath(id), `${content.join("\n")}\n`);
      return id;
    });

  /** Runs the importer in a child process and kills it at the first line matching `at` (plus `extraMs`), or at its end. */
  const killAt = (importId: string, mode: "commit" | "check" | "record", at: RegExp, extraMs: number, org = orgId) =>
    new Promise<string>((resolve, reject) => {
      const child: ChildProcess = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "test/support/call-importer.ts",
          JSON.stringify(options),
          org,
          importId,
          importFilePath(importId),
          mode,
          "wait",
        ],
        { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, VIGIE_UPLOAD_DIR: uploads } },
      );
      let out = "";
      let err = "";
      let armed = false;
      child.stderr?.on("data", (d) => {
        err += String(d);
      });
      child.stdout?.on("data", (d) => {
        out += String(d);
        if (!armed && (at.test(out) || /^(done|checked|failed)$/m.test(out))) {
          armed = true;
          setTimeout(() => child.kill("SIGKILL"), extraMs);
        }
      });
      child.on("exit", (code, signal) =>
        signal === "SIGKILL" ? resolve(out) : reject(new Error(`l'import s'est arrêté seul (${code}) : ${err}`)),
      );
    });

  const callsOf = async (database: Database, importId: string) =>
    (
      await sql<{ n: number }>`select count(*)::int as n from calls where org_id = ${orgId} and import_id = ${importId}`.execute(
        database.db,
      )
    ).rows[0]?.n;
  const totals = async (database: Database) => {
    const calls = await sql<{ n: number }>`select count(*)::int as n from calls where org_id = ${orgId}`.execute(database.db);
    const rollup = await sql<{ n: number }>`select coalesce(sum(offered), 0)::int as n from call_rollup where org_id = ${orgId}`.execute(
      database.db,
    );
    return { calls: calls.rows[0]?.n, rollup: rollup.rows[0]?.n };
  };

  it("a reading killed mid-way: interrupted at once, nothing recorded; « Reprendre » records every call once", async () => {
    const importId = await withDatabase((d) => upload(d, "Master.csv", lines));
    // Killed as soon as the first batch (embedded) or the first progress (PostgreSQL COPY) is told, or at once on « ready ».
    const said = await killAt(importId, "commit", TEST_DATABASE_URL ? /^ready$/m : /^progress 1$/m, TEST_DATABASE_URL ? 20 : 5);
    await withDatabase(async (database) => {
      const item = await getImport(database.db, orgId, importId);
      const recorded = await callsOf(database, importId);
      // The embedded engine reads 5,000 calls a batch: killed after the first, it had not finished.
      if (!TEST_DATABASE_URL) expect(item.status).toBe("reading");
      if (item.status === "done") {
        // The kill came after the commit: then every call is there.
        expect(recorded).toBe(COUNT);
      } else {
        expect(said).not.toMatch(/^done$/m);
        expect(recorded).toBe(0);
        expect(isInterrupted(item)).toBe(true);
        await resumeImport(database.db, SYSTEM_ACTOR, orgId, importId);
        const result = await runImport(database.db, SYSTEM_ACTOR, orgId, importId, importFilePath(importId), { commitWhenClean: true });
        expect(result.status).toBe("done");
        expect(result.rowsCreated).toBe(COUNT);
      }
      expect(await totals(database)).toEqual({ calls: COUNT, rollup: COUNT });
    });
  }, 90_000);

  it("the same file killed again, then dropped: « Abandonner » at once, the calls already there unchanged", async () => {
    const importId = await withDatabase((d) => upload(d, "Master-bis.csv", lines));
    await killAt(importId, "commit", /^ready$/m, 0);
    await withDatabase(async (database) => {
      const item = await getImport(database.db, orgId, importId);
      if (item.status !== "done") {
        expect(isInterrupted(item)).toBe(true);
        await discardImport(database.db, SYSTEM_ACTOR, orgId, importId);
        expect((await getImport(database.db, orgId, importId)).status).toBe("discarded");
      }
      expect(await callsOf(database, importId)).toBe(0);
      expect(await totals(database)).toEqual({ calls: COUNT, rollup: COUNT });
    });
  }, 90_000);

  it("a read file waiting for its decision, killed: its staged calls are all there, or it says they were lost", async () => {
    const fresh = randomCalls(29, 3_000, ["0384000000"]).map((c, i) => cdrLine(c, COUNT + i));
    const faulty = [...fresh.slice(0, 10), fresh[0]?.replace(/"2026-\d\d-\d\d /, '"2026-13-01 ') ?? "", ...fresh.slice(10)];
    const importId = await withDatabase((d) => upload(d, "Master-faute.csv", faulty));
    const said = await killAt(importId, "check", /^checked$/m, 50);
    expect(said).toMatch(/^checked$/m);
    await withDatabase(async (database) => {
      const item = await getImport(database.db, orgId, importId);
      expect(item.status).toBe("checked");
      const lost = await stagedLost(database.db, item);
      const committed = await commitImport(database.db, SYSTEM_ACTOR, orgId, importId);
      if (lost) {
        // Nothing recorded, and the import says why (no « Les appels valides sont enregistrés »).
        expect(committed).toMatchObject({ status: "checked", message: LOST_MESSAGE });
        expect(await callsOf(database, importId)).toBe(0);
        await resumeImport(database.db, SYSTEM_ACTOR, orgId, importId);
        await runImport(database.db, SYSTEM_ACTOR, orgId, importId, importFilePath(importId), { commitWhenClean: false });
        expect(await stagedLost(database.db, await getImport(database.db, orgId, importId))).toBe(false);
        expect((await commitImport(database.db, SYSTEM_ACTOR, orgId, importId)).status).toBe("done");
      }
      expect(await callsOf(database, importId)).toBe(3_000);
      expect(await totals(database)).toEqual({ calls: COUNT + 3_000, rollup: COUNT + 3_000 });
    });
  }, 90_000);

  it("staged calls emptied by a crash of the database: « lost » is said, « Reprendre » reads the file again", async () => {
    const fresh = randomCalls(31, 500, ["0384000001"]).map((c, i) => cdrLine(c, 2 * COUNT + i));
    const faulty = [fresh[0]?.replace(/"2026-\d\d-\d\d /, '"2026-13-01 ') ?? "", ...fresh];
    await withDatabase(async (database) => {
      const importId = await upload(database, "Master-perdu.csv", faulty);
      await sql`update call_imports set status = 'reading' where id = ${importId}`.execute(database.db);
      await runImport(database.db, SYSTEM_ACTOR, orgId, importId, importFilePath(importId), { commitWhenClean: false });
      // What a restart of PostgreSQL does to the unlogged staging table.
      await sql`delete from call_import_rows where import_id = ${importId}`.execute(database.db);
      expect(await stagedLost(database.db, await getImport(database.db, orgId, importId))).toBe(true);
      expect(await commitImport(database.db, SYSTEM_ACTOR, orgId, importId)).toMatchObject({ status: "checked", message: LOST_MESSAGE });
      await resumeImport(database.db, SYSTEM_ACTOR, orgId, importId);
      await runImport(database.db, SYSTEM_ACTOR, orgId, importId, importFilePath(importId), { commitWhenClean: false });
      expect((await commitImport(database.db, SYSTEM_ACTOR, orgId, importId)).rowsCreated).toBe(500);
    });
  }, 60_000);

  it("removes what the crashes left in the upload folder, expires unmapped files, and caps each organisation", async () => {
    await withDatabase(async (database) => {
      const db = database.db;
      const pending = await createImport(db, SYSTEM_ACTOR, orgId, { fileName: "attente.csv", format: "mapped", bytes: 3 * 1024 ** 2 });
      writeFileSync(importFilePath(pending), "a;b\n1;2\n");
      const old = await createImport(db, SYSTEM_ACTOR, orgId, { fileName: "oublié.csv", format: "mapped", bytes: 10 });
      writeFileSync(importFilePath(old), "a;b\n");
      await sql`update call_imports set created_at = now() - interval '8 days' where id = ${old}`.execute(db);
      const orphan = importFilePath("00000000-0000-4000-8000-000000000001");
      writeFileSync(orphan, "x");
      const part = join(uploads, "upload-abandonne.part");
      writeFileSync(part, "y".repeat(1000));
      utimesSync(part, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
      const receiving = join(uploads, "upload-en-cours.part");
      writeFileSync(receiving, "z");
      const report = await sweepCallUploads(db);
      expect(report.expired).toBe(1);
      expect(existsSync(orphan)).toBe(false);
      expect(existsSync(part)).toBe(false);
      expect(existsSync(importFilePath(old))).toBe(false);
      // The files of the recorded and dropped imports above are gone too; what is still awaited stays.
      expect(existsSync(importFilePath(pending))).toBe(true);
      expect(existsSync(receiving)).toBe(true);
      expect((await getImport(db, orgId, old)).status).toBe("discarded");
      process.env.VIGIE_UPLOAD_QUOTA_MB = "4";
      try {
        expect(await quotaRefusal(db, orgId, 512 * 1024)).toBeNull();
        expect((await quotaRefusal(db, orgId, 2 * 1024 ** 2))?.replaceAll("\u00a0", " ")).toBe(
          "Les imports en attente de cette organisation occupent déjà 3 Mo sur les 4 Mo permis, et ce fichier pèse 2 Mo : enregistrez ou abandonnez les imports en attente, puis envoyez-le de nouveau.",
        );
      } finally {
        delete process.env.VIGIE_UPLOAD_QUOTA_MB;
      }
    });
  }, 60_000);

  describe("a recording in slices (the embedded engine's way; forced on PostgreSQL here), killed between two", () => {
    let annexId = "";
    const levels = async (database: Database) => {
      const q = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(database.db)).rows[0]?.n;
      return {
        calls: await q(sql<{ n: number }>`select count(*)::int as n from calls where org_id = ${annexId}`),
        site: await q(sql<{ n: number }>`select coalesce(sum(offered), 0)::int as n from call_rollup where org_id = ${annexId}`),
        siteWaits: await q(sql<{ n: number }>`select coalesce(sum(answered), 0)::int as n from call_wait_rollup where org_id = ${annexId}`),
        parent: await q(sql<{ n: number }>`select coalesce(sum(offered), 0)::int as n from call_descendant_rollup where org_id = ${orgId}`),
        parentWaits: await q(
          sql<{ n: number }>`select coalesce(sum(answered), 0)::int as n from call_descendant_wait_rollup where org_id = ${orgId}`,
        ),
        answered: await q(sql<{ n: number }>`select count(*)::int as n from calls where org_id = ${annexId} and outcome = 'answered'`),
      };
    };
    /** The rollups of the site and of its parent count exactly the calls there. */
    const expectRollupsEqualCalls = (l: Awaited<ReturnType<typeof levels>>) => {
      expect(l.site).toBe(l.calls);
      expect(l.parent).toBe(l.calls);
      expect(l.siteWaits).toBe(l.answered);
      expect(l.parentWaits).toBe(l.answered);
    };
    const importCalls = async (database: Database, importId: string) =>
      (await sql<{ n: number }>`select count(*)::int as n from calls where import_id = ${importId}`.execute(database.db)).rows[0]?.n;

    beforeAll(async () => {
      await withDatabase(async (database) => {
        annexId = (
          await createOrganisation(
            database.db,
            {
              accountId: "00000000-0000-4000-8000-0000000000aa",
              email: "root@test.fr",
              displayName: "Root",
              instanceAdmin: true,
              grants: [],
            },
            {
              name: "Accueil de l'état civil",
              kind: "service",
              parentId: orgId,
              timeZone: "Europe/Paris",
              holidayZone: "metropole",
              addressStreet: undefined,
              addressPostcode: undefined,
              addressCity: undefined,
              siret: undefined,
            },
          )
        ).id;
      });
    }, 60_000);

    it("part of the calls recorded, with their rollups, and said; « Reprendre » records the rest once", async () => {
      const file = randomCalls(37, 10_000, ["0384000002"]).map((c, i) => cdrLine(c, 3 * COUNT + i));
      const importId = await withDatabase((d) => upload(d, "Master-tranches.csv", file, annexId));
      const said = await killAt(importId, "record", /^slice 2$/m, 0, annexId);
      expect(said).toMatch(/^slice 2$/m);
      await withDatabase(async (database) => {
        const item = await getImport(database.db, annexId, importId);
        expect(item.status).toBe("committing");
        expect(isInterrupted(item)).toBe(true);
        // Killed right after the second slice of about 2,000 (whole days): two or three slices are in, each whole.
        const recorded = (await importCalls(database, importId)) ?? 0;
        expect(recorded).toBeGreaterThan(2_000);
        expect(recorded).toBeLessThan(8_000);
        expect(item.rowsCreated).toBe(recorded);
        expect(item.rowsMoved).toBe(recorded);
        const cut = await levels(database);
        expect(cut.calls).toBe(recorded);
        expectRollupsEqualCalls(cut);
        await resumeImport(database.db, SYSTEM_ACTOR, annexId, importId);
        expect(
          (await runImport(database.db, SYSTEM_ACTOR, annexId, importId, importFilePath(importId), { commitWhenClean: false })).status,
        ).toBe("checked");
        const done = await commitImport(database.db, SYSTEM_ACTOR, annexId, importId, { slice: 3_000 });
        // The calls of the first recording count as added by this import, not as already known.
        expect(done).toMatchObject({ status: "done", rowsCreated: 10_000, rowsDuplicate: 0 });
        const after = await levels(database);
        expect(after.calls).toBe(10_000);
        expectRollupsEqualCalls(after);
      });
    }, 90_000);

    it("killed again between two slices, then dropped: the calls it recorded leave with their rollups, the others stay", async () => {
      const file = randomCalls(41, 8_000, ["0384000003"]).map((c, i) => cdrLine(c, 4 * COUNT + i));
      const importId = await withDatabase((d) => upload(d, "Master-tranches-bis.csv", file, annexId));
      expect(await killAt(importId, "record", /^slice 1$/m, 0, annexId)).toMatch(/^slice 1$/m);
      await withDatabase(async (database) => {
        const item = await getImport(database.db, annexId, importId);
        expect(isInterrupted(item)).toBe(true);
        expect(item.rowsCreated).toBeGreaterThan(1_000);
        expect((await levels(database)).calls).toBe(10_000 + item.rowsCreated);
        // Looked at 1,500 calls of the site per transaction: several slices over the 12,000 or so calls.
        await discardImport(database.db, SYSTEM_ACTOR, annexId, importId, { scan: 1_500 });
        expect(await getImport(database.db, annexId, importId)).toMatchObject({ status: "discarded", rowsCreated: 0 });
        expect(await importCalls(database, importId)).toBe(0);
        const after = await levels(database);
        expect(after.calls).toBe(10_000);
        expectRollupsEqualCalls(after);
        const audit = await sql<{ after: { removedCalls?: number } }>`
          select after from audit_log where entity = 'call_import' and entity_id = ${importId} and action = 'delete'`.execute(database.db);
        expect(audit.rows[0]?.after.removedCalls).toBe(item.rowsCreated);
      });
    }, 90_000);
  });
});
