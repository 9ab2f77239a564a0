import { randomBytes } from "node:crypto";
import { rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cdrLine, randomCalls } from "../../test/support/call-logs.ts";
import { engineName, openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from "../../test/support/database.ts";
import type { Actor } from "../kernel/roles.ts";
import { SYSTEM_ACTOR } from "../modules/audit/audit.service.ts";
import { claimImport, createImport, runImport } from "../modules/calls/calls.service.ts";
import { enqueueDailySchedules, runDueJobs } from "../modules/jobs/jobs.service.ts";
import "../modules/jobs/partitions.jobs.ts";
import { createOrganisation } from "../modules/organisations/organisations.service.ts";
import { openDatabase, quoteIdent } from "./database.ts";
import { migrateTo, migrateToLatest } from "./migrate.ts";
import { dropPartitionsBefore, isPartitioned, partitionMonths } from "./partitions.ts";
import type { DB } from "./schema.ts";

/** Where each row of a table lives: partition name → rows. */
async function placement(db: Kysely<DB>, table: string): Promise<Record<string, number>> {
  const { rows } = await sql<{ part: string; n: number }>`
    select tableoid::regclass::text as part, count(*)::int as n from ${sql.table(table)} group by 1`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.part.replace(/^.*\./, ""), r.n]));
}

const root = { accountId: null, email: "test", displayName: "test", instanceAdmin: true, grants: [] } as unknown as Actor;

describe(`monthly partitions of calls and audit_log, on ${engineName}`, () => {
  let database: TestDatabase;
  const files: string[] = [];
  beforeAll(async () => {
    database = await openTestDatabase({ referenceData: false });
  });
  afterAll(async () => {
    for (const f of files) await rm(f, { force: true });
    await database.close();
  });

  it.skipIf(engineName !== "pglite")("keeps plain tables on the embedded engine", async () => {
    expect(await isPartitioned(database.db, "calls")).toBe(false);
    expect(await isPartitioned(database.db, "audit_log")).toBe(false);
  });

  it.skipIf(engineName !== "postgres")("puts the calls of a log over three months into three partitions", async () => {
    const db = database.db;
    const site = (await createOrganisation(db, root, { name: "Mairie", kind: "site", timeZone: "Europe/Paris", holidayZone: "metropole" }))
      .id;
    const calls = randomCalls(91, 300, ["accueil"]).map((x) => ({ ...x, inbound: true }));
    const file = path.join(tmpdir(), `vigie-partitions-${process.pid}.csv`);
    files.push(file);
    await writeFile(file, `${calls.map((x, i) => cdrLine(x, i)).join("\n")}\n`);
    const id = await createImport(db, SYSTEM_ACTOR, site, { fileName: "Master.csv", format: "asterisk", bytes: (await stat(file)).size });
    await claimImport(db, site, id);
    expect((await runImport(db, SYSTEM_ACTOR, site, id, file, { commitWhenClean: true })).status).toBe("done");
    const count = (month: string) => calls.filter((x) => x.start.startsWith(month)).length;
    expect(await placement(db, "calls")).toEqual({
      calls_y2026m01: count("2026-01"),
      calls_y2026m02: count("2026-02"),
      calls_y2026m03: count("2026-03"),
    });
    // The audit entries of the import went to the partition of this month.
    const month = new Date().toISOString().slice(0, 7).replace("-", "m");
    expect(Object.keys(await placement(db, "audit_log"))).toEqual([`audit_log_y${month}`]);
  });

  it.skipIf(engineName !== "postgres")("creates next months' partitions by the nightly job, before the month starts", async () => {
    const db = database.db;
    const now = new Date("2031-05-20T10:00:00Z");
    expect(await partitionMonths(db, "calls")).not.toContain("2031-06-01");
    await enqueueDailySchedules(db, now);
    await runDueJobs(db, { now });
    for (const table of ["calls", "audit_log"] as const) {
      expect(await partitionMonths(db, table)).toEqual(expect.arrayContaining(["2031-05-01", "2031-06-01", "2031-07-01", "2031-08-01"]));
    }
    // A row of June 2031 lands in its own partition, not in the default one.
    await sql`insert into audit_log (org_id, at, actor_label, action, entity, entity_id)
      values ('00000000-0000-0000-0000-000000000000', '2031-06-01T00:00:00Z', 'test', 'create', 'test', 'x')`.execute(db);
    expect((await placement(db, "audit_log")).audit_log_y2031m06).toBe(1);
  });

  it.skipIf(engineName !== "postgres")("retention drops whole months", async () => {
    const db = database.db;
    const before = await placement(db, "calls");
    expect(await dropPartitionsBefore(db, "calls", "2026-02-01")).toEqual(["2026-01-01"]);
    const after = await placement(db, "calls");
    expect(after.calls_y2026m01).toBeUndefined();
    expect(after.calls_y2026m02).toBe(before.calls_y2026m02);
    expect(await partitionMonths(db, "calls")).not.toContain("2026-01-01");
  });
});

describe.skipIf(!TEST_DATABASE_URL)("migration 0018 on a PostgreSQL database that already holds calls and an audit log", () => {
  it("moves every row into its month's partition, keeps the indexes and the audit numbering", async () => {
    const schema = `test_part_${randomBytes(4).toString("hex")}`;
    const database = await openDatabase({ url: TEST_DATABASE_URL, schema });
    const db = database.db;
    try {
      await migrateTo(db, "0015_organisation_logos", schema);
      const org = "5f1c1a52-4e0b-4c39-9c55-6c1c7a3c2f09";
      await sql`insert into calls (org_id, call_key, import_id, started_at, local_day, slot, line, outcome, wait_seconds, talk_seconds)
        select ${org}::uuid, gen_random_uuid(), gen_random_uuid(), d, d::date, 40, 'accueil', 'answered', 5, 60
        from generate_series('2025-11-03'::timestamptz, '2026-01-30'::timestamptz, '1 day') d`.execute(db);
      await sql`insert into audit_log (org_id, at, actor_label, action, entity, entity_id)
        select ${org}::uuid, d, 'test', 'create', 'request', 'x' from generate_series('2025-12-01T00:00:00Z'::timestamptz, '2026-02-28'::timestamptz, '1 day') d`.execute(
        db,
      );
      const lastId = (await sql<{ id: string }>`select max(id)::text as id from audit_log`.execute(db)).rows[0]?.id;
      await migrateToLatest(db, schema);

      expect(Object.keys(await placement(db, "calls")).sort()).toEqual(["calls_y2025m11", "calls_y2025m12", "calls_y2026m01"]);
      expect(Object.values(await placement(db, "calls")).reduce((a, b) => a + b, 0)).toBe(89);
      expect(await placement(db, "audit_log")).toEqual({ audit_log_y2025m12: 31, audit_log_y2026m01: 31, audit_log_y2026m02: 28 });
      // The indexes of the audit log are there again, on the partitioned table.
      const { rows } = await sql<{ name: string }>`select indexname as name from pg_indexes
        where tablename = 'audit_log' and schemaname = ${schema} order by 1`.execute(db);
      expect(rows.map((r) => r.name)).toEqual(["audit_log_at_idx", "audit_log_entity_idx", "audit_log_pkey"]);
      // The numbering goes on after the last entry moved.
      const next = await sql<{ id: string }>`insert into audit_log (org_id, actor_label, action, entity, entity_id)
        values (${org}, 'test', 'create', 'request', 'y') returning id::text`.execute(db);
      expect(BigInt(next.rows[0]?.id ?? "0")).toBe(BigInt(lastId ?? "0") + 1n);
    } finally {
      await sql.raw(`drop schema if exists ${quoteIdent(schema)} cascade`).execute(db);
      await database.close();
    }
  }, 120_000);
});
