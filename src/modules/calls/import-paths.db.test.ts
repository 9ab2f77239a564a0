import { rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineName, openTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import type { Actor } from "../../kernel/roles.ts";
import { SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";
import { claimImport, createImport, getImport, runImport } from "./calls.service.ts";

/**
 * Files larger than one piece of the reader (1 MB), through the service: on PostgreSQL a clean
 * file takes the COPY way, and a faulty line, a known call or an interruption must leave the same
 * state as on the embedded engine. Expected counts come from the generated lines, not from Vigie.
 */
const ROWS = 12_000;

interface Generated {
  text: string;
  offered: number;
  answered: number;
  abandoned: number;
}

/** Master.csv lines over January–February 2026; every caller id holds a comma inside quotes. */
function master(prefix: string, rows: number, faultAt?: number): Generated {
  const lines: string[] = [];
  let answered = 0;
  let abandoned = 0;
  for (let i = 0; i < rows; i++) {
    const day = 1 + (i % 28);
    const month = i < rows / 2 ? "01" : "02";
    const hh = String(8 + (i % 10)).padStart(2, "0");
    const mm = String(i % 60).padStart(2, "0");
    const start = `2026-${month}-${String(day).padStart(2, "0")} ${hh}:${mm}:00`;
    const kind = i % 5;
    const wait = i % 40;
    const isAnswered = kind < 3;
    if (isAnswered) answered++;
    else if (kind === 3) abandoned++;
    const disposition = isAnswered ? "ANSWERED" : kind === 3 ? "NO ANSWER" : "BUSY";
    const answer = isAnswered ? `"${start.slice(0, 17)}${String(wait % 60).padStart(2, "0")}"` : "";
    const talk = isAnswered ? 60 : 0;
    const queue = i % 2 === 0 ? "accueil" : "etat-civil";
    lines.push(
      `"","06${String(i).padStart(8, "0")}","3000","from-trunk","""Mairie, accueil"" <0145>","PJSIP/trunk-${i}","","Queue","${queue},t,,,300","${start}",${answer},"${start}",${(isAnswered ? wait : wait + 5) + talk},${talk},"${disposition}","DOCUMENTATION","${prefix}.${i}",""`,
    );
  }
  if (faultAt !== undefined) lines[faultAt - 1] = (lines[faultAt - 1] ?? "").replace(/"2026-(\d\d)-(\d\d) /, '"2026-$1-32 ');
  return { text: `${lines.join("\n")}\n`, offered: rows, answered, abandoned };
}

describe(`large call logs, on ${engineName}`, () => {
  let database: TestDatabase;
  const files: string[] = [];
  let ids: string[] = [];
  const root: Actor = { accountId: null, email: "test", displayName: "test", instanceAdmin: true, grants: [] } as unknown as Actor;

  beforeAll(async () => {
    database = await openTestDatabase();
    const base = { timeZone: "Europe/Paris", holidayZone: "metropole" as const };
    const network = await createOrganisation(database.db, root, { ...base, name: "Réseau", kind: "network" });
    const region = await createOrganisation(database.db, root, { ...base, name: "Région", kind: "region", parentId: network.id });
    const site = await createOrganisation(database.db, root, { ...base, name: "Site", kind: "site", parentId: region.id });
    ids = [site.id, region.id, network.id];
  });
  afterAll(async () => {
    for (const f of files) await rm(f, { force: true });
    await database.close();
  });

  async function importFile(name: string, content: string, onProgress?: () => void) {
    const file = path.join(tmpdir(), `vigie-test-${process.pid}-${name}`);
    files.push(file);
    await writeFile(file, content);
    const site = ids[0] as string;
    const id = await createImport(database.db, SYSTEM_ACTOR, site, { fileName: name, format: "asterisk", bytes: (await stat(file)).size });
    await claimImport(database.db, site, id);
    const run = runImport(database.db, SYSTEM_ACTOR, site, id, file, { commitWhenClean: true, ...(onProgress ? { onProgress } : {}) });
    return { id, run };
  }

  /** What each organisation's rollup says, and the calls stored. */
  async function state() {
    const { db } = database;
    const rollups = await sql<{ org_id: string; offered: number; answered: number; abandoned: number }>`
      select org_id, sum(offered)::int as offered, sum(answered)::int as answered, sum(abandoned)::int as abandoned
      from (select org_id, offered, answered, abandoned from call_rollup
        union all select org_id, offered, answered, abandoned from call_descendant_rollup) r group by org_id`.execute(db);
    const waits = await sql<{ org_id: string; answered: number }>`
      select org_id, sum(answered)::int as answered
      from (select org_id, answered from call_wait_rollup union all select org_id, answered from call_descendant_wait_rollup) w
      group by org_id`.execute(db);
    const calls = await sql<{ n: number }>`select count(*)::int as n from calls`.execute(db);
    const staged = await sql<{ n: number }>`select count(*)::int as n from call_import_rows`.execute(db);
    const by = (orgId: string) => ({
      ...(rollups.rows.find((r) => r.org_id === orgId) ?? { offered: 0, answered: 0, abandoned: 0 }),
      histogram: waits.rows.find((r) => r.org_id === orgId)?.answered ?? 0,
    });
    return { calls: calls.rows[0]?.n, staged: staged.rows[0]?.n, orgs: ids.map((id) => ({ id, ...by(id) })) };
  }

  const clean = master("1767600000", ROWS);

  it("records a clean file of several pieces whole, with quoted commas, and the same figures for the site and each ancestor", async () => {
    const { id, run } = await importFile("clean.csv", clean.text);
    await run;
    const done = await getImport(database.db, ids[0] as string, id);
    expect(done).toMatchObject({ status: "done", rowsRead: ROWS, rowsInvalid: 0, rowsCreated: ROWS, rowsDuplicate: 0 });
    const s = await state();
    expect(s.calls).toBe(ROWS);
    expect(s.staged).toBe(0);
    for (const org of s.orgs) {
      expect(org).toMatchObject({
        offered: clean.offered,
        answered: clean.answered,
        abandoned: clean.abandoned,
        histogram: clean.answered,
      });
    }
  });

  it("adds nothing when the same file comes again", async () => {
    const before = await state();
    const { id, run } = await importFile("again.csv", clean.text);
    await run;
    expect(await getImport(database.db, ids[0] as string, id)).toMatchObject({ status: "done", rowsCreated: 0, rowsDuplicate: ROWS });
    expect(await state()).toEqual(before);
  });

  it("reports a faulty line in the middle of a large file by its number, and writes nothing", async () => {
    const before = await state();
    const faulty = master("1767700000", ROWS, 7001);
    const { id, run } = await importFile("faulty.csv", faulty.text);
    await run;
    const read = await getImport(database.db, ids[0] as string, id);
    expect(read).toMatchObject({ status: "checked", rowsRead: ROWS, rowsInvalid: 1, rowsCreated: 0 });
    expect(read.errors).toEqual([{ line: 7001, message: expect.stringContaining("2026-02-32") }]);
    expect((await state()).calls).toBe(before.calls);
    expect((await state()).orgs).toEqual(before.orgs);
  });

  it("leaves nothing when the import is cut part-way", async () => {
    const before = await state();
    const other = master("1767800000", ROWS);
    let seen = 0;
    const { id, run } = await importFile("cut.csv", other.text, () => {
      seen++;
      throw new Error("coupure");
    });
    await expect(run).rejects.toThrow("coupure");
    expect(seen).toBe(1);
    expect((await getImport(database.db, ids[0] as string, id)).status).toBe("failed");
    const after = await state();
    expect(after.calls).toBe(before.calls);
    expect(after.orgs).toEqual(before.orgs);
  });
});
