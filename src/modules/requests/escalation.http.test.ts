import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { countingQueries } from "../../../test/support/query-count.ts";
import { localDay } from "../../kernel/time.ts";
import { runEscalation } from "./escalation.service.ts";
import { delayFiguresOf } from "./indicators.ts";
import { rollupRows } from "./requests.repository.ts";

/** A day `n` days after an ISO date. */
const plusDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe("escalation of overdue requests and the acknowledgement / holding-reply figures, on a real database", () => {
  let t: TestApp;
  let c: Client;
  let network = "";
  let site = "";
  let service = "";
  let referent = "";
  let correspondent = "";
  const today = localDay("Europe/Paris", new Date());

  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const base = { timeZone: "Europe/Paris", holidayZone: "metropole" };
    network = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Réseau", kind: "network" })).json().id;
    await c.api("PUT", `/api/v1/organisations/${network}/framework`, { frameworkId: "marianne-2008" });
    site = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Mairie", kind: "site", parentId: network })).json().id;
    service = (await c.api("POST", "/api/v1/organisations", { ...base, name: "État civil", kind: "service", parentId: site })).json().id;
    const account = async (email: string, displayName: string, role: string, orgId: string) =>
      (await c.api("POST", "/api/v1/accounts", { email, displayName, password: "un mot de passe solide", role, orgId })).json().id;
    referent = await account("remi@exemple.fr", "Rémi Référent", "agent", service);
    correspondent = await account("chloe@exemple.fr", "Chloé Correspondante", "correspondent", network);
  });
  afterAll(() => t.close());

  const mailed = async (receivedOn: string, extra: Record<string, unknown> = {}) =>
    (
      await c.api("POST", `/api/v1/organisations/${site}/requests`, {
        kind: "request",
        channel: "email",
        receivedOn,
        subject: "Acte de naissance",
        requesterEmail: "usager@exemple.fr",
        ...extra,
      })
    ).json().request as { id: string; dueOn: string; version: number };

  const events = async (requestId: string) =>
    (
      await sql<{ note: string; data: { level: number; accountId: string } }>`
        select note, data from request_events where request_id = ${requestId} and type = 'escalated' order by id`.execute(t.database.db)
    ).rows;

  it("refuses a delay that is not a whole number of working days, or a person who does not handle the service's requests", async () => {
    await c.get(`/organisations/${site}/escalation`);
    const bad = await c.post(`/organisations/${site}/escalation`, { workingDays: "deux", [`referent_${service}`]: referent });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Indiquez un nombre entier de jours ouvrés, de 1 à 60.");
    const stranger = await c.post(`/organisations/${site}/escalation`, { workingDays: "2", [`referent_${service}`]: "not-a-uuid" });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.body).toContain("Cette personne ne traite pas les demandes de ce service.");
    const outside = await c.post(`/organisations/${site}/escalation`, { workingDays: "2", [`referent_${network}`]: referent });
    expect(outside.statusCode).toBe(400);
    expect(outside.body).toContain("Ce service n&#39;appartient pas à l&#39;organisation.");
    const rows = await t.database.db.selectFrom("service_referents").selectAll().execute();
    expect(rows).toEqual([]);
  });

  it("goes to the service's referent N working days after the deadline, once, then to the correspondent N more days later", async () => {
    const saved = await c.post(`/organisations/${site}/escalation`, { workingDays: "2", [`referent_${service}`]: referent });
    expect(saved.statusCode).toBe(303);
    const page = await c.get(`/organisations/${site}/escalation`);
    expect(page.body).toContain(`<option value="${referent}" selected>`);

    // Received Monday 2 November 2026, five working days for an e-mail: due Monday 9 November.
    const r = await mailed("2026-11-02", { serviceId: service });
    expect(r.dueOn).toBe("2026-11-09");
    // Tuesday 10: one working day late, not enough.
    expect(await runEscalation(t.database.db, new Date("2026-11-10T07:00:00Z"))).toEqual([]);
    // Thursday 12: 10 and 12 (11 November is a public holiday) — two working days: the referent.
    const first = await runEscalation(t.database.db, new Date("2026-11-12T07:00:00Z"));
    expect(first.map((s) => [s.number, s.level, s.holderName, s.lateDays])).toEqual([[expect.any(String), 1, "Rémi Référent", 2]]);
    // The same day again (a retry, a second server): nothing more.
    expect(await runEscalation(t.database.db, new Date("2026-11-12T09:00:00Z"))).toEqual([]);
    const after = (await c.api("GET", `/api/v1/organisations/${site}/requests/${r.id}`)).json();
    expect(after.assigneeId).toBe(referent);
    expect((await events(r.id)).map((e) => e.note)).toEqual([
      "Transmise à Rémi Référent (référent de « État civil »), 2 jours ouvrés après l'échéance",
    ]);
    // Friday 13: three days, not four. Monday 16: four — the correspondent of the network above the site.
    expect(await runEscalation(t.database.db, new Date("2026-11-13T07:00:00Z"))).toEqual([]);
    const second = await runEscalation(t.database.db, new Date("2026-11-16T07:00:00Z"));
    expect(second.map((s) => [s.level, s.holderName, s.lateDays])).toEqual([[2, "Chloé Correspondante", 4]]);
    expect(await runEscalation(t.database.db, new Date("2026-11-17T07:00:00Z"))).toEqual([]);
    expect((await c.api("GET", `/api/v1/organisations/${site}/requests/${r.id}`)).json().assigneeId).toBe(correspondent);
    const steps = await events(r.id);
    expect(steps.map((e) => e.data.level)).toEqual([1, 2]);
    expect(steps[1]?.note).toBe("Transmise à Chloé Correspondante (correspondant du site), 4 jours ouvrés après l'échéance");
    // Each new holder is told once, through the outbox.
    const mails = await t.database.db.selectFrom("outbox").select(["recipient", "subject"]).where("kind", "=", "alert").execute();
    expect(mails.map((m) => m.recipient).sort()).toEqual(["chloe@exemple.fr", "remi@exemple.fr"]);
    expect(mails[0]?.subject).toContain("en retard, transmise à vous");
    // The list and the page show where it is.
    const list = await c.get(`/organisations/${site}/requests`);
    expect(list.body).toContain("Transmise au correspondant");
    const detail = await c.get(`/organisations/${site}/requests/${r.id}`);
    expect(detail.body).toContain("Transmise à Rémi Référent (référent de « État civil »)");
  });

  it("sends the next step without a referent straight to the correspondent, after 2N working days", async () => {
    const r = await mailed("2026-11-02");
    expect(await runEscalation(t.database.db, new Date("2026-11-12T07:00:00Z"))).toEqual([]);
    const moved = await runEscalation(t.database.db, new Date("2026-11-16T07:00:00Z"));
    expect(moved.map((s) => [s.requestId, s.level])).toEqual([[r.id, 2]]);
  });

  it("runs in two statements whatever the number of sites when nothing is due", async () => {
    const counter = countingQueries(t.database.db);
    await runEscalation(counter.db, new Date("2026-11-17T07:00:00Z"));
    expect(counter.statements).toEqual(["RawNode", "RawNode"]);
  });

  it("counts acknowledgements in their delay and holding replies sent before the deadline, rolled up the tree", async () => {
    // Acknowledged today, received today: within the week.
    const fresh = await mailed(today);
    expect((await c.api("POST", `/api/v1/organisations/${site}/requests/${fresh.id}/acknowledgement`)).statusCode).toBe(200);
    // A second acknowledgement counts nothing more.
    expect((await c.api("POST", `/api/v1/organisations/${site}/requests/${fresh.id}/acknowledgement`)).statusCode).toBe(200);
    // Received today, a holding reply today (before its deadline), then left open well past it.
    const held = await mailed(today);
    const holding = await c.api("POST", `/api/v1/organisations/${site}/requests/${held.id}/holding`, {
      announcedOn: plusDays(held.dueOn, 10),
      note: "Nous attendons la réponse du tribunal.",
      version: held.version,
    });
    expect(holding.statusCode).toBe(200);
    await runEscalation(t.database.db, new Date(`${plusDays(held.dueOn, 1)}T12:00:00Z`));
    // Run twice: each late request counted once.
    await runEscalation(t.database.db, new Date(`${plusDays(held.dueOn, 1)}T13:00:00Z`));
    // An imported register is history: its e-mails owe no acknowledgement Vigie could have sent (they stay
    // out of the denominator), and its complaints raise no « réclamation reçue » alert.
    const alerts = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from notifications where kind = 'complaint_received'`.execute(t.database.db))
        .rows[0]?.n;
    const alertsBefore = await alerts();
    const [y, m, d] = today.split("-");
    const imported = await c.api("POST", `/api/v1/organisations/${site}/requests/import?dryRun=false`, {
      columns: ["Date", "Objet", "Canal"],
      rows: [
        [`${d}/${m}/${y}`, "Ancienne réclamation", "courriel"],
        [`${d}/${m}/${y}`, "Autre réclamation", "courriel"],
      ],
      constants: { kind: "réclamation" },
    });
    expect(imported.statusCode).toBe(200);
    expect(imported.json().created).toHaveLength(2);
    expect(await alerts()).toBe(alertsBefore);
    // Acknowledged later all the same (a printed letter: no address to e-mail): not counted in time
    // either, so the share cannot pass 100 %.
    const [first] = imported.json().created;
    expect((await c.get(`/organisations/${site}/requests/${first.id}`)).statusCode).toBe(200);
    const printed = await c.post(`/organisations/${site}/requests/${first.id}/letters/acknowledgement/print`, {});
    expect(printed.statusCode).toBeLessThan(400);
    const acknowledged = await sql<{ on: string | null }>`select acknowledged_on::text as on from requests where id = ${first.id}`.execute(
      t.database.db,
    );
    expect(acknowledged.rows[0]?.on).toBe(today);
    for (const orgId of [site, network]) {
      const f = delayFiguresOf(await rollupRows(t.database.db, orgId, "2026-01-01", "2030-12-01")).total;
      // Four e-mails owe an acknowledgement; one was acknowledged in time.
      expect([f.acknowledgementOwed, f.acknowledgedInTime]).toEqual([4, 1]);
      // Late: the two of November and the held one (the fresh one is late too by then, without a holding reply).
      expect([f.late, f.lateWithHolding]).toEqual([4, 1]);
      expect(f.holdingRate).toBe(0.25);
    }
  });
});
