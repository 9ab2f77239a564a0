import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cdrLine, randomCalls } from "../../../test/support/call-logs.ts";
import { engineName, openTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import type { Actor } from "../../kernel/roles.ts";
import { SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { runDueJobs } from "../jobs/jobs.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";
import * as repo from "./calls.repository.ts";
import { carrierOf, carryImport, createImport, getImport, jobKeyOf, queueReading, resumeImport } from "./calls.service.ts";
import { importFilePath } from "./upload.ts";
import { sweepCallUploads } from "./upload-sweep.ts";

/**
 * The pages read and record an import through the durable queue (issue #18, point 4): the job waits,
 * runs, is taken over after its worker died, and a job whose import moved on does nothing.
 */
describe(`imports carried by the job queue, on ${engineName}`, () => {
  let database: TestDatabase;
  let site = "";
  const uploads = mkdtempSync(path.join(tmpdir(), "vigie-import-jobs-"));
  const previousDir = process.env.VIGIE_UPLOAD_DIR;
  const root = { accountId: null, email: "test", displayName: "test", instanceAdmin: true, grants: [] } as unknown as Actor;
  const calls = randomCalls(71, 300, ["0384000000"]).map((c) => ({ ...c, inbound: true }));
  const content = `${calls.map((c, i) => cdrLine(c, i)).join("\n")}\n`;
  /** A dead worker on this machine, as `runner` names it (a pid no process has). */
  const deadWorker = `${hostname()}/2147483646`;

  beforeAll(async () => {
    process.env.VIGIE_UPLOAD_DIR = uploads;
    database = await openTestDatabase();
    const base = { timeZone: "Europe/Paris", holidayZone: "metropole" as const };
    site = (await createOrganisation(database.db, root, { ...base, name: "Mairie", kind: "site" })).id;
  });
  afterAll(async () => {
    await database.close();
    if (previousDir === undefined) delete process.env.VIGIE_UPLOAD_DIR;
    else process.env.VIGIE_UPLOAD_DIR = previousDir;
    rmSync(uploads, { recursive: true, force: true });
  });

  async function upload(name: string) {
    const id = await createImport(database.db, SYSTEM_ACTOR, site, { fileName: name, format: "asterisk", bytes: content.length });
    await writeFile(importFilePath(id), content);
    return id;
  }

  it("queues the reading: « en file », the file kept by the sweep; a worker's pass records it and removes the file", async () => {
    const { db } = database;
    const id = await upload("Master.csv");
    await queueReading(db, SYSTEM_ACTOR, site, id);
    const queued = await getImport(db, site, id);
    expect(queued.status).toBe("reading");
    expect(jobKeyOf(queued.runner)).toBe(`calls.import:${id}:read:1`);
    expect(await carrierOf(db, queued)).toEqual({ kind: "queued", retry: false });
    await sweepCallUploads(db);
    expect(existsSync(importFilePath(id))).toBe(true);
    expect(await runDueJobs(db)).toMatchObject({ done: 1, failed: 0 });
    const done = await getImport(db, site, id);
    expect(done).toMatchObject({ status: "done", rowsCreated: calls.length, rowsDuplicate: 0 });
    expect(await carrierOf(db, done)).toEqual({ kind: "none" });
    expect(existsSync(importFilePath(id))).toBe(false);
    // Run again (a worker dying after the work, before its bookkeeping): nothing more happens.
    await carryImport(db, SYSTEM_ACTOR, site, id, `calls.import:${id}:read:1`);
    expect(await getImport(db, site, id)).toMatchObject({ status: "done", rowsCreated: calls.length });
  });

  it("a worker killed mid-reading: said at once, and the job taken over reads the file again, every call counted once", async () => {
    const { db } = database;
    const id = await upload("Master-copie.csv");
    await queueReading(db, SYSTEM_ACTOR, site, id);
    const { runner } = await getImport(db, site, id);
    // As a worker that began the reading and died: its process on the runner, part of the file staged.
    await repo.updateImport(db, site, id, { runner: `${runner}@${deadWorker}`, rowsRead: 12, bytesRead: 500 });
    const stalled = await getImport(db, site, id);
    expect((await carrierOf(db, stalled)).kind).toBe("stalled");
    await runDueJobs(db);
    // Every call was already known from the first file: none added twice.
    expect(await getImport(db, site, id)).toMatchObject({ status: "done", rowsCreated: 0, rowsDuplicate: calls.length });
  });

  it("« Reprendre » on a stalled import enqueues a new job; the old one, taken over later, does nothing", async () => {
    const { db } = database;
    const id = await upload("Master-3.csv");
    await queueReading(db, SYSTEM_ACTOR, site, id);
    const { runner } = await getImport(db, site, id);
    await repo.updateImport(db, site, id, { runner: `${runner}@${deadWorker}` });
    await resumeImport(db, SYSTEM_ACTOR, site, id, { queue: true });
    const resumed = await getImport(db, site, id);
    expect(jobKeyOf(resumed.runner)).toBe(`calls.import:${id}:read:2`);
    expect(await runDueJobs(db)).toMatchObject({ done: 2, failed: 0 });
    expect(await getImport(db, site, id)).toMatchObject({ status: "done", rowsRead: calls.length, rowsDuplicate: calls.length });
  });
});
