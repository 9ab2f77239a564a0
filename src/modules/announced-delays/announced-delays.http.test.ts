import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { openDatabase } from "../../db/database.ts";
import { migrateTo, migrateToLatest } from "../../db/migrate.ts";
import { syncFrameworks } from "../frameworks/frameworks.service.ts";
import { foldPendingRollups } from "../requests/requests.service.ts";

type Cell = { channel: string; kind: string; value: number | null; unit: string | null; source: { kind: string; orgName?: string } };

describe("announced delays, one per channel and kind, inherited down the tree", () => {
  let t: TestApp;
  let c: Client;
  let network = "";
  let site = "";
  let service = "";
  const base = { timeZone: "Europe/Paris", holidayZone: "metropole" };

  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    network = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Réseau de l'Est", kind: "network" })).json().id;
    site = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Mairie de Nancy", kind: "site", parentId: network })).json().id;
    service = (await c.api("POST", "/api/v1/organisations", { ...base, name: "État civil", kind: "service", parentId: site })).json().id;
  });
  afterAll(() => t.close());

  const delays = async (orgId: string): Promise<Cell[]> =>
    (await c.api("GET", `/api/v1/organisations/${orgId}/announced-delays`)).json().delays;
  const cell = (cells: Cell[], channel: string, kind: string) => cells.find((x) => x.channel === channel && x.kind === kind);
  const register = (orgId: string, channel: string, receivedOn: string, kind = "request") =>
    c.api("POST", `/api/v1/organisations/${orgId}/requests`, { kind, channel, receivedOn, subject: "Une demande" });

  it("says which cells are empty under Services Publics+, which leaves each service to announce its own", async () => {
    await c.api("PUT", `/api/v1/organisations/${network}/framework`, { frameworkId: "sp+2021" });
    const cells = await delays(site);
    expect(cells).toHaveLength(15);
    expect(cells.every((x) => x.value === null && x.source.kind === "none")).toBe(true);
    const page = await c.get(`/organisations/${site}/delays`);
    expect(page.body).toContain("15\u00a0cases sans délai annoncé");
  });

  it("applies every delay set: letters, e-mails and the web each get their due date (the lost-delays bug)", async () => {
    const put = await c.api("PUT", `/api/v1/organisations/${site}/announced-delays`, {
      delays: [
        { channel: "letter", kind: "request", value: 15, unit: "working_days" },
        { channel: "email", kind: "request", value: 5, unit: "working_days" },
        { channel: "web", kind: "request", value: 5, unit: "working_days" },
      ],
    });
    expect(put.statusCode).toBe(200);
    // Wednesday 1 April 2027: 15 working days → Thursday 22 April; 5 → Thursday 8 April.
    expect((await register(site, "letter", "2027-04-01")).json().request.dueOn).toBe("2027-04-22");
    expect((await register(site, "email", "2027-04-01")).json().request.dueOn).toBe("2027-04-08");
    expect((await register(site, "web", "2027-04-01")).json().request.dueOn).toBe("2027-04-08");
    // A cell left empty: no due date, and the rollup counts it as received without a delay.
    expect((await register(site, "counter", "2027-04-01")).json().request.dueOn).toBeNull();
    // A registration's count waits beside the rollups until their next read (migration 0036): read as they are read.
    await foldPendingRollups(t.database.db);
    const without = await sql<{ n: number }>`
      select coalesce(sum(received_without_target), 0)::int as n from request_rollup where org_id = ${network}`.execute(t.database.db);
    expect(without.rows[0]?.n).toBe(1);
  });

  it("inherits a parent's delay, lets a node override it, and a service below follows its site", async () => {
    await c.api("PUT", `/api/v1/organisations/${network}/announced-delays`, {
      delays: [
        { channel: "letter", kind: "complaint", value: 30, unit: "calendar_days" },
        { channel: "email", kind: "request", value: 10, unit: "working_days" },
      ],
    });
    const atSite = await delays(site);
    expect(cell(atSite, "letter", "complaint")).toMatchObject({
      value: 30,
      unit: "calendar_days",
      source: { kind: "parent", orgName: "Réseau de l'Est" },
    });
    expect(cell(atSite, "email", "request")).toMatchObject({ value: 5, source: { kind: "own" } });
    const atService = await delays(service);
    expect(cell(atService, "email", "request")).toMatchObject({ value: 5, source: { kind: "parent", orgName: "Mairie de Nancy" } });
    // 30 calendar days from 1 April 2026 end on Friday 1 May, Labour Day: due Monday 4 May.
    expect((await register(service, "letter", "2026-04-01", "complaint")).json().request.dueOn).toBe("2026-05-04");
  });

  it("refuses bad input in French and changes nothing", async () => {
    const before = await delays(site);
    for (const body of [
      { delays: [{ channel: "fax", kind: "request", value: 5, unit: "working_days" }] },
      { delays: [{ channel: "letter", kind: "request", value: 0, unit: "working_days" }] },
      { delays: [{ channel: "letter", kind: "request", value: 5, unit: "semaines" }] },
      { delays: [{ channel: "letter", kind: "request", value: 5 }] },
      {
        delays: [
          { channel: "letter", kind: "request", value: 5, unit: "working_days" },
          { channel: "letter", kind: "request", value: 6, unit: "working_days" },
        ],
      },
    ]) {
      const refused = await c.api("PUT", `/api/v1/organisations/${site}/announced-delays`, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json().error).toBe("Certaines informations sont à corriger.");
    }
    const form = await c.get(`/organisations/${site}/delays`);
    expect(form.statusCode).toBe(200);
    const bad = await c.post(`/organisations/${site}/delays`, { "value-letter-request": "quinze", "unit-letter-request": "working_days" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Indiquez un nombre entier de jours, de 1 à 365, ou laissez vide pour hériter.");
    expect(await delays(site)).toEqual(before);
  });

  it("holds a site to its framework's text: a longer delay is refused, whatever the unit", async () => {
    const other = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Mairie de Metz", kind: "site" })).json().id;
    await c.api("PUT", `/api/v1/organisations/${other}/framework`, { frameworkId: "marianne-2008" });
    const cells = await delays(other);
    expect(cell(cells, "letter", "request")).toMatchObject({ value: 15, unit: "working_days", source: { kind: "framework" } });
    expect(cell(cells, "email", "request")).toMatchObject({ value: 5, unit: "working_days", source: { kind: "framework" } });
    const longer = await c.api("PUT", `/api/v1/organisations/${other}/announced-delays`, {
      delays: [{ channel: "email", kind: "request", value: 10, unit: "calendar_days" }],
    });
    expect(longer.statusCode).toBe(400);
    expect(longer.json().fields["value-email-request"]).toContain("Le référentiel promet 5\u00a0jours ouvrés");
    const shorter = await c.api("PUT", `/api/v1/organisations/${other}/announced-delays`, {
      delays: [{ channel: "email", kind: "request", value: 3, unit: "working_days" }],
    });
    expect(shorter.statusCode).toBe(200);
    // The public « Nos engagements » page prints the delay the site announces, not the framework's text.
    const printed = await t.app.inject({ method: "GET", url: `/public/organisations/${other}/commitments` });
    expect(printed.statusCode).toBe(200);
    const text = printed.body.replace(/<[^>]+>/g, " ");
    expect(text).toContain("Courriel, demande\u00a0: 3\u00a0jours ouvrés");
    expect(text).toContain("Courrier, demande\u00a0: 15\u00a0jours ouvrés");
    expect(text).not.toMatch(/réponse sous 5/);
  });

  it("saves the whole table from the page, without JavaScript", async () => {
    await c.get(`/organisations/${service}/delays`);
    const saved = await c.post(`/organisations/${service}/delays`, {
      "value-counter-request": "2",
      "unit-counter-request": "business_days",
      "value-phone-complaint": "",
      "unit-phone-complaint": "working_days",
    });
    expect(saved.statusCode).toBe(303);
    const page = await c.get(saved.headers.location as string);
    expect(page.body).toContain("Les délais annoncés ont été enregistrés");
    expect(cell(await delays(service), "counter", "request")).toMatchObject({ value: 2, unit: "business_days", source: { kind: "own" } });
  });
});

describe("the migration of local commitments' delays", () => {
  it("turns every reply delay of the local commitments into rows, the shortest where several meet, and moves no due date", async () => {
    const database = await openDatabase({});
    try {
      const db = database.db;
      await migrateTo(db, "0010_publication");
      await syncFrameworks(db).catch(() => undefined);
      const org = "5f1c1a52-4e0b-4c39-9c55-6c1c7a3c2f01";
      await sql`insert into organisations (id, parent_id, path, kind, name, time_zone, holiday_zone)
        values (${org}, null, array[${org}]::uuid[], 'site', 'Mairie', 'Europe/Paris', 'metropole')`.execute(db);
      const local = (title: string, targets: unknown[]) =>
        sql`insert into local_commitments (org_id, title, channels, targets) values (${org}, ${title}, '{email}', ${JSON.stringify(targets)}::jsonb)`.execute(
          db,
        );
      // The three local commitments of the bug: each tightening SP+ n°5, only the first ever applied.
      await local("Courriers", [{ metric: "reply_delay", value: 15, unit: "working_days", channels: ["letter"], kinds: [] }]);
      await local("Courriels", [{ metric: "reply_delay", value: 5, unit: "working_days", channels: ["email"], kinds: [] }]);
      await local("Internet et courriels", [
        { metric: "reply_delay", value: 5, unit: "working_days", channels: ["web", "email"], kinds: ["request"] },
        { metric: "call_pickup_rings", value: 3, unit: "rings", channels: ["phone"] },
      ]);
      await sql`insert into requests (org_id, number, kind, channel, status, source, subject, received_on, target_value, target_unit, due_on, tracking_token_hash)
        values (${org}, '2026-000001', 'request', 'letter', 'received', 'agent', 'Ancienne', '2026-03-02', 20, 'working_days', '2026-03-30', 'x')`.execute(
        db,
      );
      await migrateToLatest(db);
      const rows = await sql<{ channel: string; kind: string; value: number; unit: string }>`
        select channel, kind, value, unit from announced_delays where org_id = ${org} order by channel, kind`.execute(db);
      expect(rows.rows).toHaveLength(7);
      expect(rows.rows.filter((r) => r.channel === "email").map((r) => r.value)).toEqual([5, 5, 5]);
      expect(rows.rows.filter((r) => r.channel === "letter").map((r) => `${r.value} ${r.unit}`)).toEqual(Array(3).fill("15 working_days"));
      expect(rows.rows.filter((r) => r.channel === "web").map((r) => r.kind)).toEqual(["request"]);
      const left = await sql<{ targets: Array<{ metric: string }> }>`select targets from local_commitments order by title`.execute(db);
      expect(left.rows.flatMap((r) => r.targets.map((x) => x.metric))).toEqual(["call_pickup_rings"]);
      const request = await sql<{ due_on: string; target_value: number }>`select due_on, target_value from requests`.execute(db);
      expect(request.rows[0]).toEqual({ due_on: "2026-03-30", target_value: 20 });
      const without = await sql<{ n: number }>`select coalesce(sum(received_without_target), 0)::int as n from request_rollup`.execute(db);
      expect(without.rows[0]?.n).toBe(0);
    } finally {
      await database.close();
    }
  });
});
