import { rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cdrLine, expectedFigures, type RawCall, randomCalls } from "../../../test/support/call-logs.ts";
import { engineName, openTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import { createOrg } from "../../../test/support/factories.ts";
import { openDatabase } from "../../db/database.ts";
import { migrateTo, migrateToLatest } from "../../db/migrate.ts";
import type { DB } from "../../db/schema.ts";
import type { Actor } from "../../kernel/roles.ts";
import { SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { callFigures, claimImport, createImport, runImport } from "./calls.service.ts";
import type { IsOpen } from "./figures.ts";

/**
 * Call rollups by level (issue #13): the site keeps its lines, its ancestors only what their pages
 * show. Expected figures come from the raw calls of the fixture (test/support/call-logs.ts), never
 * from Vigie.
 */
const THRESHOLD = 25; // 5 rings × 5 s, the defaults
const PERIOD = { from: "2026-01-01", to: "2026-03-31" };
const root = { accountId: null, email: "test", displayName: "test", instanceAdmin: true, grants: [] } as unknown as Actor;

/** ISO day of the week and minute of the day of a call, from its written local time. */
function when(x: RawCall): { dow: number; minute: number } {
  const [y, m, d] = x.start.slice(0, 10).split("-").map(Number);
  const dow = ((new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)).getUTCDay() + 6) % 7) + 1;
  return { dow, minute: Number(x.start.slice(11, 13)) * 60 + Number(x.start.slice(14, 16)) };
}

/** Every figure the page of a node shows, computed from the raw calls of its subtree. */
function expectedPage(calls: RawCall[], isOpen: IsOpen) {
  const heat = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => ({ offered: 0, answered: 0 })));
  for (const x of calls) {
    const { dow, minute } = when(x);
    const cell = heat[dow - 1]?.[Math.floor(minute / 60)];
    if (cell) {
      cell.offered++;
      if (x.answered) cell.answered++;
    }
  }
  const outside = (xs: RawCall[]) =>
    xs.filter((x) => {
      const { dow, minute } = when(x);
      return !isOpen(dow, Math.floor(minute / 15) * 15);
    }).length;
  const months = ["2026-01", "2026-02", "2026-03"].map((month) => {
    const mine = calls.filter((x) => x.start.startsWith(month));
    const e = expectedFigures(mine, THRESHOLD);
    return {
      month,
      offered: e.offered,
      answered: e.answered,
      abandoned: e.abandoned,
      withinRings: e.within,
      p90Wait: e.p90,
      outsideHours: outside(mine),
    };
  });
  const e = expectedFigures(calls, THRESHOLD);
  return {
    total: {
      offered: e.offered,
      answered: e.answered,
      abandoned: e.abandoned,
      withinRings: e.within,
      p90Wait: e.p90,
      outsideHours: outside(calls),
    },
    meanWait: e.meanWait,
    months,
    heat,
  };
}

/** Open Monday to Friday 8:30–12:00 and 13:30–17:00: quarter hours matter, not only hours. */
const officeHours: IsOpen = (dow, minute) => dow <= 5 && ((minute >= 510 && minute < 720) || (minute >= 810 && minute < 1020));

async function importCalls(db: Kysely<DB>, files: string[], orgId: string, name: string, calls: RawCall[], seed: number) {
  const file = path.join(tmpdir(), `vigie-levels-${process.pid}-${name}`);
  files.push(file);
  await writeFile(file, `${calls.map((x, i) => cdrLine(x, seed * 100_000 + i)).join("\n")}\n`);
  const id = await createImport(db, SYSTEM_ACTOR, orgId, { fileName: name, format: "asterisk", bytes: (await stat(file)).size });
  await claimImport(db, orgId, id);
  const done = await runImport(db, SYSTEM_ACTOR, orgId, id, file, { commitWhenClean: true });
  expect(done.status).toBe("done");
}

async function count(db: Kysely<DB>, table: string, orgIds?: string[]): Promise<number> {
  const where = orgIds ? sql`where org_id = any(${orgIds}::uuid[])` : sql``;
  const row = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} ${where}`.execute(db);
  return row.rows[0]?.n ?? 0;
}
const ownRows = async (db: Kysely<DB>, orgId: string) =>
  (await count(db, "call_rollup", [orgId])) + (await count(db, "call_wait_rollup", [orgId]));
const parentRows = async (db: Kysely<DB>) => (await count(db, "call_descendant_rollup")) + (await count(db, "call_descendant_wait_rollup"));

/** Only the inbound calls count (the fixture's outgoing ones are written with another context, and no setting filters them here). */
const calls = (seed: number, n: number, lines: string[]) => randomCalls(seed, n, lines).map((x) => ({ ...x, inbound: true }));

describe(`call rollups by level, on ${engineName}`, () => {
  let database: TestDatabase;
  const files: string[] = [];
  // The benchmark's shape: network → region → department → sites.
  let network = "";
  let region = "";
  let department = "";
  let siteA = "";
  let siteB = "";
  let siteC = "";
  const a = calls(71, 3000, ["0144556677", "file-accueil", "file-etat-civil"]);
  const b = calls(72, 3000, ["0155667788", "file-standard"]);
  const c = calls(73, 400, ["0166778899"]);

  beforeAll(async () => {
    database = await openTestDatabase();
    const db = database.db;
    network = (await createOrg(db, { name: "Réseau", kind: "network" }, root)).id;
    region = (await createOrg(db, { name: "Région", kind: "region", parentId: network }, root)).id;
    department = (await createOrg(db, { name: "Département", kind: "department", parentId: region }, root)).id;
    siteA = (await createOrg(db, { name: "Mairie A", kind: "site", parentId: department }, root)).id;
    siteB = (await createOrg(db, { name: "Mairie B", kind: "site", parentId: department }, root)).id;
    siteC = (await createOrg(db, { name: "Mairie C", kind: "site", parentId: region }, root)).id;
  });
  afterAll(async () => {
    for (const f of files) await rm(f, { force: true });
    await database.close();
  });

  it("keeps the lines at the site only: the parents add at most 1.2 × the site's own rows once the network has calls", async () => {
    const db = database.db;
    await importCalls(db, files, siteA, "a.csv", a, 1);
    const siteARows = await ownRows(db, siteA);
    const firstParents = await parentRows(db);
    // A first import into an empty tree gives each of the 3 ancestors one row per cell, whatever the lines.
    expect(await count(db, "call_rollup", [network, region, department])).toBe(0);
    expect(firstParents).toBeLessThanOrEqual(3 * siteARows);

    const before = await parentRows(db);
    await importCalls(db, files, siteB, "b.csv", b, 2);
    const siteBRows = await ownRows(db, siteB);
    const added = (await parentRows(db)) - before;
    // The old rollups gave each ancestor a copy of the site's rows: 3 × siteBRows.
    console.info(
      `rollup rows — site A: ${siteARows}, its 3 ancestors on an empty tree: ${firstParents} (before: ${3 * siteARows}); ` +
        `site B: ${siteBRows}, added to its ancestors: ${added} (before: ${3 * siteBRows})`,
    );
    expect(siteBRows).toBeGreaterThan(0);
    expect(added).toBeLessThanOrEqual(1.2 * siteBRows);
  });

  it("shows a parent the same figures as its calls say, with no line, and a site its lines", async () => {
    const db = database.db;
    await importCalls(db, files, siteC, "c.csv", c, 3);
    for (const [orgId, mine] of [
      [network, [...a, ...b, ...c]],
      [region, [...a, ...b, ...c]],
      [department, [...a, ...b]],
      [siteA, a],
    ] as const) {
      const f = await callFigures(db, orgId, PERIOD, { isOpen: officeHours });
      const want = expectedPage([...mine], officeHours);
      expect(f.total).toMatchObject(want.total);
      expect(f.total.meanWait).toBeCloseTo(want.meanWait ?? -1, 9);
      expect(f.byMonth).toMatchObject(want.months);
      expect(f.heat).toEqual(want.heat);
      expect(f.byLine.map((l) => l.line)).toEqual(orgId === siteA ? ["0144556677", "file-accueil", "file-etat-civil"] : []);
    }
    const byChild = (await callFigures(db, region, PERIOD)).byChild;
    expect(byChild.map((x) => [x.name, x.offered, x.answered])).toEqual([
      ["Département", a.length + b.length, expectedFigures([...a, ...b], THRESHOLD).answered],
      ["Mairie C", c.length, expectedFigures(c, THRESHOLD).answered],
    ]);
  });
});

describe("migration 0018 turns the rollups of every level into rollups by level (embedded engine)", () => {
  it("keeps every figure of every node, and leaves the lines to the organisation that received the calls", async () => {
    const database = await openDatabase({});
    const db = database.db;
    try {
      await migrateTo(db, "0015_organisation_logos");
      const ids = {
        network: "5f1c1a52-4e0b-4c39-9c55-6c1c7a3c2f01",
        region: "5f1c1a52-4e0b-4c39-9c55-6c1c7a3c2f02",
        siteA: "5f1c1a52-4e0b-4c39-9c55-6c1c7a3c2f03",
        siteB: "5f1c1a52-4e0b-4c39-9c55-6c1c7a3c2f04",
      };
      const paths: Record<string, string[]> = {
        [ids.network]: [ids.network],
        [ids.region]: [ids.network, ids.region],
        [ids.siteA]: [ids.network, ids.region, ids.siteA],
        [ids.siteB]: [ids.network, ids.region, ids.siteB],
      };
      for (const [name, id] of Object.entries(ids)) {
        const p = paths[id] ?? [];
        const kind = name === "network" ? "network" : name === "region" ? "region" : "site";
        await sql`insert into organisations (id, parent_id, path, kind, name, time_zone, holiday_zone)
          values (${id}, ${p.length > 1 ? (p[p.length - 2] ?? null) : null}, ${p}::uuid[], ${kind}, ${name}, 'Europe/Paris', 'metropole')`.execute(
          db,
        );
      }
      // The region answers some calls itself (its own line), besides its two sites.
      const received: Record<string, RawCall[]> = {
        [ids.siteA]: calls(81, 500, ["accueil", "etat-civil"]),
        [ids.siteB]: calls(82, 300, ["standard"]),
        [ids.region]: calls(83, 100, ["accueil"]),
      };
      // The rollups as the code before 0018 wrote them: every line, for the organisation and each ancestor.
      const slots = new Map<string, { org: string; month: string; line: string; dow: number; slot: number; n: number[] }>();
      const waits = new Map<string, { org: string; month: string; line: string; bucket: number; n: number }>();
      for (const [orgId, mine] of Object.entries(received)) {
        for (const x of mine) {
          const { dow, minute } = when(x);
          const month = `${x.start.slice(0, 7)}-01`;
          for (const org of paths[orgId] ?? []) {
            const key = `${org}|${month}|${x.line}|${dow}|${Math.floor(minute / 15)}`;
            const row = slots.get(key) ?? { org, month, line: x.line, dow, slot: Math.floor(minute / 15), n: [0, 0, 0, 0] };
            row.n = [
              (row.n[0] ?? 0) + 1,
              (row.n[1] ?? 0) + (x.answered ? 1 : 0),
              (row.n[2] ?? 0) + (x.disposition === "NO ANSWER" ? 1 : 0),
              (row.n[3] ?? 0) + (x.answered ? x.wait : 0),
            ];
            slots.set(key, row);
            // The fixture's waits are all under a minute: the bucket is the second.
            const wkey = `${org}|${month}|${x.line}|${x.wait}`;
            if (x.answered) waits.set(wkey, { org, month, line: x.line, bucket: x.wait, n: (waits.get(wkey)?.n ?? 0) + 1 });
          }
        }
      }
      const sl = [...slots.values()];
      await sql`insert into call_rollup (org_id, month, line, dow, slot, offered, answered, abandoned, wait_sum)
        select * from unnest(${sl.map((r) => r.org)}::uuid[], ${sl.map((r) => r.month)}::date[], ${sl.map((r) => r.line)}::text[],
          ${sl.map((r) => r.dow)}::smallint[], ${sl.map((r) => r.slot)}::smallint[], ${sl.map((r) => r.n[0])}::int[],
          ${sl.map((r) => r.n[1])}::int[], ${sl.map((r) => r.n[2])}::int[], ${sl.map((r) => r.n[3])}::bigint[])`.execute(db);
      const wl = [...waits.values()];
      await sql`insert into call_wait_rollup (org_id, month, line, bucket, answered)
        select * from unnest(${wl.map((r) => r.org)}::uuid[], ${wl.map((r) => r.month)}::date[], ${wl.map((r) => r.line)}::text[],
          ${wl.map((r) => r.bucket)}::smallint[], ${wl.map((r) => r.n)}::int[])`.execute(db);
      await migrateToLatest(db);

      const all = Object.values(received).flat();
      const regionSubtree = all;
      for (const [orgId, mine, lines] of [
        [ids.network, all, []],
        [ids.region, regionSubtree, ["accueil"]],
        [ids.siteA, received[ids.siteA] ?? [], ["accueil", "etat-civil"]],
        [ids.siteB, received[ids.siteB] ?? [], ["standard"]],
      ] as const) {
        const f = await callFigures(db, orgId, PERIOD, { isOpen: officeHours });
        const want = expectedPage([...mine], officeHours);
        expect(f.total).toMatchObject(want.total);
        expect(f.byMonth).toMatchObject(want.months);
        expect(f.heat).toEqual(want.heat);
        // The region's own line, counted on its own calls only.
        expect(f.byLine.map((l) => [l.line, l.offered])).toEqual(
          lines.map((line) => [line, (received[orgId] ?? []).filter((x) => x.line === line).length]),
        );
      }
      expect(await count(db, "call_rollup", [ids.network])).toBe(0);
      expect(await count(db, "call_wait_rollup", [ids.network])).toBe(0);
    } finally {
      await database.close();
    }
  }, 120_000);
});
