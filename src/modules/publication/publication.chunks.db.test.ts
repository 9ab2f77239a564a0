import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { engineName, openTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import { countingQueries } from "../../../test/support/query-count.ts";
import { ROLLUP_TABLES } from "../../db/migrations/0019_publication_chunks.ts";
import type { Actor } from "../../kernel/roles.ts";
import { enqueue, runDueJobs } from "../jobs/jobs.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";
import { registerRequest } from "../requests/requests.service.ts";
import "./publication.jobs.ts";
import { CHUNK_JOB, planPublication, publishChunk, publishedPeriods, todayForPublication } from "./publication.service.ts";

/**
 * The nightly publication as the queue runs it: what it publishes (only what changed, everyone at a new
 * month), how its chunk jobs split the tree, and a chunk that crashes halfway. Publications are told
 * apart by the instant each run passes, read back from `publication_state`.
 */
const ROOT: Actor = { accountId: "00000000-0000-0000-0000-000000000000", email: "x", displayName: "Test", instanceAdmin: true, grants: [] };
const BASE = { timeZone: "Europe/Paris", holidayZone: "metropole" as const, addressStreet: undefined, siret: undefined };
const at = (iso: string) => new Date(iso);

describe(`publication by chunks (${engineName})`, () => {
  let t: TestDatabase;
  const ids: Record<string, string> = {};

  async function org(name: string, kind: "network" | "region" | "site", parent?: string) {
    const o = await createOrganisation(t.db, ROOT, {
      ...BASE,
      name,
      kind,
      parentId: parent,
      addressPostcode: undefined,
      addressCity: undefined,
    });
    ids[name] = o.id;
    return o.id;
  }

  /** Plans the nightly run at `now`, then lets the queue run every chunk; returns the plan. */
  async function night(now: Date, chunkSize = 200) {
    const plan = await planPublication(t.db, { rootId: null, force: false, today: todayForPublication(now) }, { now, chunkSize });
    for (let i = 0; i < 100; i++) {
      const counts = await runDueJobs(t.db, { now });
      if (counts.done + counts.failed + counts.retried === 0) break;
    }
    return plan;
  }

  /** Organisation name → the instant it was last published. */
  async function publishedAt(): Promise<Record<string, number>> {
    const rows = await sql<{ org_id: string; published_at: Date }>`select org_id, published_at from publication_state`.execute(t.db);
    const byId = new Map(rows.rows.map((r) => [r.org_id, new Date(r.published_at).getTime()]));
    return Object.fromEntries(Object.entries(ids).flatMap(([name, id]) => (byId.has(id) ? [[name, byId.get(id) ?? 0]] : [])));
  }

  beforeAll(async () => {
    t = await openTestDatabase();
    const n = await org("Réseau", "network");
    const r1 = await org("Région Est", "region", n);
    const r2 = await org("Région Ouest", "region", n);
    await org("Site Nancy", "site", r1);
    await org("Site Metz", "site", r1);
    await org("Site Brest", "site", r2);
    await org("Site Vannes", "site", r2);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.deleteFrom("jobs").execute();
  });

  it("marks every rollup table's writes for publication (a new rollup table must call markPublicationOnChange)", async () => {
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_name like '%rollup' order by table_name`.execute(t.db);
    const tables = rows.map((r) => r.table_name);
    // Those of 0019, and any added since (survey_site_rollup, 0039).
    expect(tables).toEqual(expect.arrayContaining([...ROLLUP_TABLES]));
    const triggers = await sql<{ event_object_table: string; event_manipulation: string }>`
      select event_object_table, event_manipulation from information_schema.triggers
      where trigger_schema = current_schema() and trigger_name like '%_publication_%'`.execute(t.db);
    for (const table of tables) {
      const events = triggers.rows.filter((r) => r.event_object_table === table).map((r) => r.event_manipulation);
      expect(events.sort(), table).toEqual(["DELETE", "INSERT", "UPDATE"]);
    }
  });

  it("publishes everyone the first night, then only a changed site and its ancestors, then everyone at a new month", async () => {
    const first = await night(at("2026-03-10T03:00:00Z"));
    expect(first.organisations).toBe(7);
    const before = await publishedAt();
    expect(Object.keys(before)).toHaveLength(7);

    // Nothing changed: the next night plans nothing at all.
    expect(await night(at("2026-03-11T03:00:00Z"))).toMatchObject({ runId: null, organisations: 0, chunks: 0 });

    // A letter registered at Nancy moves its rollups and its region's and network's.
    await registerRequest(
      t.db,
      ids["Site Nancy"] ?? "",
      { kind: "request", channel: "letter", receivedOn: "2026-03-11", subject: "Demande de pièce" },
      { source: "agent", author: { accountId: null, label: "test" } },
    );
    const third = at("2026-03-12T03:00:00Z");
    expect(await night(third)).toMatchObject({ organisations: 3, chunks: 1 });
    const after = await publishedAt();
    const republished = Object.keys(after).filter((name) => after[name] !== before[name]);
    expect(republished.sort()).toEqual(["Région Est", "Réseau", "Site Nancy"]);
    expect(after["Site Nancy"]).toBe(third.getTime());
    // The site's public figures count the letter now.
    const received = await sql<{ sample: number }>`
      select sample from published_figures where org_id = ${ids["Site Nancy"]} and indicator_key like 'requests.%' and sample > 0`.execute(
      t.db,
    );
    expect(received.rows.length).toBeGreaterThan(0);

    // April: the year-to-date period moved on, everyone is published again.
    const april = await night(at("2026-04-01T03:00:00Z"));
    expect(april.organisations).toBe(7);
    const inApril = await publishedAt();
    expect(Object.values(inApril).every((v) => v === at("2026-04-01T03:00:00Z").getTime())).toBe(true);
  });

  it("splits a run into chunks of whole sibling groups that cover every due organisation exactly once", async () => {
    // 40 more sites, written in one statement as a large tree would be.
    await sql`
      insert into organisations (id, parent_id, path, kind, name)
      select g.id, ${ids["Région Ouest"]}::uuid, ${sql.val([ids.Réseau, ids["Région Ouest"]])}::uuid[] || g.id, 'site', 'Site ' || g.n
      from (select gen_random_uuid() as id, n from generate_series(1, 40) as n) g`.execute(t.db);
    const now = at("2026-05-02T03:00:00Z");
    const plan = await planPublication(t.db, { rootId: null, force: false, today: todayForPublication(now) }, { now, chunkSize: 6 });
    expect(plan.organisations).toBe(47);
    const jobs = await t.db.selectFrom("jobs").select(["payload", "dedupe_key"]).where("name", "=", CHUNK_JOB).execute();
    expect(jobs).toHaveLength(plan.chunks);
    const chunks = jobs.map((j) => (j.payload as { parents: Array<string | null> }).parents);
    // No parent is split across chunks: each names its parents, each parent in one chunk only.
    const named = chunks.flat();
    expect(new Set(named).size).toBe(named.length);
    // The tree's sibling groups: the roots, the network's two regions, each region's sites (42 under Ouest).
    expect(new Set(named)).toEqual(new Set([null, ids.Réseau, ids["Région Est"], ids["Région Ouest"]]));
    const all = await sql<{
      id: string;
      parent: string | null;
    }>`select id::text as id, parent_id::text as parent from organisations`.execute(t.db);
    for (const { id, parent } of all.rows)
      expect(
        chunks.filter((c) => c.includes(parent)),
        id,
      ).toHaveLength(1);
    // Cut at a parent boundary as soon as a chunk holds 6: the group of 42 is never split, and every chunk
    // but the last would hold fewer than 6 without its last group.
    const inOrder = [...jobs]
      .sort((x, y) => Number(x.dedupe_key?.split(":").pop()) - Number(y.dedupe_key?.split(":").pop()))
      .map((j) => (j.payload as { parents: Array<string | null> }).parents);
    const size = (parents: Array<string | null>) => all.rows.filter((o) => parents.includes(o.parent)).length;
    expect(inOrder.map(size).reduce((n, x) => n + x, 0)).toBe(47);
    expect(Math.max(...inOrder.map(size))).toBeGreaterThanOrEqual(42);
    for (const parents of inOrder.slice(0, -1)) {
      expect(size(parents)).toBeGreaterThanOrEqual(6);
      expect(size(parents.slice(0, -1))).toBeLessThan(6);
    }
    for (let i = 0; i < 20; i++) if ((await runDueJobs(t.db, { now })).done === 0) break;
    const published = await sql<{ n: number }>`select count(*)::int as n from publication_state where published_at = ${now}`.execute(t.db);
    expect(Number(published.rows[0]?.n)).toBe(47);
    const done = await t.db.selectFrom("jobs").select("done_at").where("name", "=", CHUNK_JOB).execute();
    expect(done.every((j) => j.done_at !== null)).toBe(true);
  });

  it("retries a chunk that crashed halfway, and the run ends complete with each organisation published once more", async () => {
    // A fault the first time Site Metz is written, outside any transaction's reach (a sequence).
    await sql.raw("create sequence fault_seq").execute(t.db);
    await sql
      .raw(`create function fault_once() returns trigger language plpgsql as $$
      begin
        if new.org_id = '${ids["Site Metz"]}' and nextval('fault_seq') = 1 then raise exception 'panne simulée'; end if;
        return new;
      end $$`)
      .execute(t.db);
    await sql
      .raw("create trigger fault_once before insert or update on publication_state for each row execute function fault_once()")
      .execute(t.db);
    try {
      const now = at("2026-06-01T03:00:00Z");
      const plan = await planPublication(t.db, { rootId: null, force: false, today: todayForPublication(now) }, { now, chunkSize: 100 });
      expect(plan).toMatchObject({ organisations: 47, chunks: 1 });
      expect(await runDueJobs(t.db, { now })).toEqual({ done: 0, failed: 0, retried: 1 });
      const halfway = await sql<{ n: number }>`select count(*)::int as n from publication_state where published_at = ${now}`.execute(t.db);
      const doneBeforeCrash = Number(halfway.rows[0]?.n);
      expect(doneBeforeCrash).toBeGreaterThanOrEqual(0);
      expect(doneBeforeCrash).toBeLessThan(47);

      // The queue tries again after its back-off; this time the chunk publishes what is still due.
      const later = at("2026-06-01T04:00:00Z");
      expect(await runDueJobs(t.db, { now: later })).toEqual({ done: 1, failed: 0, retried: 0 });
      const { rows } = await sql<{ first: number; second: number }>`
        select count(*) filter (where published_at = ${now})::int as first, count(*) filter (where published_at = ${later})::int as second
        from publication_state`.execute(t.db);
      expect(Number(rows[0]?.first)).toBe(doneBeforeCrash);
      expect(Number(rows[0]?.first) + Number(rows[0]?.second)).toBe(47);
      const job = await t.db.selectFrom("jobs").selectAll().where("name", "=", CHUNK_JOB).executeTakeFirstOrThrow();
      expect(job).toMatchObject({ attempts: 2, last_error: null });
    } finally {
      await sql.raw("drop trigger fault_once on publication_state").execute(t.db);
    }
  });
  it("still runs a chunk job enqueued before the upgrade (an id range), and refuses a payload naming neither", async () => {
    const now = at("2026-05-20T03:00:00Z");
    const today = todayForPublication(now);
    const run = "11111111-1111-4111-8111-111111111111";
    await enqueue(t.db, {
      name: CHUNK_JOB,
      payload: { run, rootId: null, force: true, today, after: null, upTo: ids["Site Metz"] },
      runAt: now,
    });
    expect(await runDueJobs(t.db, { now })).toMatchObject({ done: 1, failed: 0 });
    const { rows } = await sql<{ id: string }>`select org_id::text as id from publication_state where published_at = ${now}`.execute(t.db);
    const expected = await sql<{ id: string }>`select id::text as id from organisations where id <= ${ids["Site Metz"]}::uuid`.execute(
      t.db,
    );
    expect(rows.map((r) => r.id).sort()).toEqual(expected.rows.map((r) => r.id).sort());

    // A payload naming neither parents nor a range is refused, not read as « everything ».
    await expect(enqueue(t.db, { name: CHUNK_JOB, payload: { run, rootId: null, force: true, today }, runAt: now })).rejects.toThrow();
  });

  it("reads the same number of statements for a chunk of 20 or 200 siblings; only each organisation's own writes grow", async () => {
    async function parentWith(name: string, children: number): Promise<string> {
      const p = await org(name, "region", ids.Réseau);
      await sql`
        insert into organisations (id, parent_id, path, kind, name)
        select g.id, ${p}::uuid, ${sql.val([ids.Réseau, p])}::uuid[] || g.id, 'site', ${name} || ' site ' || g.n
        from (select gen_random_uuid() as id, n from generate_series(1, ${children}) as n) g`.execute(t.db);
      // Some figures to compute: a letter at one site moves its rollups and its ancestors'.
      const first = await sql<{ id: string }>`select id::text as id from organisations where parent_id = ${p} limit 1`.execute(t.db);
      await registerRequest(
        t.db,
        first.rows[0]?.id ?? "",
        { kind: "request", channel: "letter", receivedOn: "2026-05-11", subject: "Demande de pièce" },
        { source: "agent", author: { accountId: null, label: "test" } },
      );
      return p;
    }
    const small = await parentWith("Région 20", 20);
    const large = await parentWith("Région 200", 200);
    const now = at("2026-05-21T03:00:00Z");
    const scope = { rootId: null, force: true, today: todayForPublication(now) };
    const counter = countingQueries(t.db);
    const cost = async (parent: string, children: number) => {
      counter.reset();
      expect(await publishChunk(counter.db, scope, { parents: [parent] }, now)).toBe(children);
      const writes = counter.statements.filter((k) => k === "InsertQueryNode" || k === "DeleteQueryNode" || k === "UpdateQueryNode").length;
      return { reads: counter.count - writes, writes };
    };
    const at20 = await cost(small, 20);
    const at200 = await cost(large, 200);
    expect(at200.reads, "statements that are not a write").toBe(at20.reads);
    // Each of the 180 more siblings, with no figure of its own: its state, and its figures deleted per period.
    expect(at200.writes - at20.writes).toBe(180 * (1 + publishedPeriods(scope.today).length));
    // What the batch gave is each child's own: only the site with the letter publishes a received request.
    const { rows } = await sql<{ id: string }>`
      select distinct f.org_id::text as id from published_figures f join organisations o on o.id = f.org_id
      where o.parent_id = ${large} and f.indicator_key = 'requests.received' and f.value > 0`.execute(t.db);
    const withLetter = await sql<{ id: string }>`
      select distinct org_id::text as id from request_rollup r join organisations o on o.id = r.org_id
      where o.parent_id = ${large} and r.received > 0`.execute(t.db);
    expect(withLetter.rows).toHaveLength(1);
    expect(rows).toEqual(withLetter.rows);
  });
});
