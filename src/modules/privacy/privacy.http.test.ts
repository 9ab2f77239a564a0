import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { SYSTEM_ACTOR } from "../audit/audit.service.ts";
import {
  applyAllRetention,
  applyAuditRetention,
  applyRetention,
  erasePerson,
  exportPerson,
  retentionPeriods,
  savePrivacySettings,
} from "./privacy.service.ts";
import { RETENTION_RULES } from "./retention.ts";

describe("personal data by the rules, on a real database", () => {
  let t: TestApp;
  let c: Client;
  let org = "";
  const now = new Date("2026-12-04T12:00:00Z");

  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    org = (
      await c.api("POST", "/api/v1/organisations", {
        name: "Mairie de Bourg",
        kind: "site",
        timeZone: "Europe/Paris",
        holidayZone: "metropole",
      })
    ).json().id;
    await c.api("PUT", `/api/v1/organisations/${org}/framework`, { frameworkId: "marianne-2008" });
  });
  afterAll(() => t.close());

  const register = async (receivedOn: string, name: string, email: string, kind = "complaint") => {
    const r = (
      await c.api("POST", `/api/v1/organisations/${org}/requests`, {
        kind,
        channel: "letter",
        receivedOn,
        subject: `Lettre de ${name}`,
        requesterName: name,
        requesterEmail: email,
        requesterAddress: "3 rue des Lilas, 01000 Bourg",
      })
    ).json().request;
    const answered = await c.api("POST", `/api/v1/organisations/${org}/requests/${r.id}/status`, {
      status: "closed",
      on: receivedOn.replace(/-\d\d$/, "-20"),
      note: `Appelé ${name} au 06 12 34 56 78`,
      version: r.version,
    });
    expect(answered.statusCode).toBe(200);
    return r.id as string;
  };
  const auditText = async (orgId = org) =>
    (
      await sql<{ text: string | null }>`
        select string_agg(coalesce(before::text, '') || ' ' || coalesce(after::text, ''), ' ') as text
        from audit_log where org_id = ${orgId}`.execute(t.database.db)
    ).rows[0]?.text ?? "";
  const dashboard = async () => (await c.api("GET", `/api/v1/organisations/${org}/dashboard?from=2019-01-01&to=2026-12-31`)).json();
  const request = async (id: string) => {
    const body = (await c.api("GET", `/api/v1/organisations/${org}/requests/${id}`)).json();
    return { request: body.request ?? body, whole: body };
  };

  it("uses the documented defaults until the organisation sets its own", async () => {
    expect((await retentionPeriods(t.database.db, org)).complaints).toBe(RETENTION_RULES.complaints.months);
    await savePrivacySettings(
      t.database.db,
      SYSTEM_ACTOR,
      org,
      { ...(await retentionPeriods(t.database.db, org)), complaints: 24 },
      {
        contactEmail: "mairie@bourg.fr",
        dpoName: "Cdg 01",
        dpoEmail: "dpo@cdg01.fr",
      },
    );
    expect((await retentionPeriods(t.database.db, org)).complaints).toBe(24);
  });

  it("anonymises ended requests past their period, keeping every figure, and does it once", async () => {
    const old = await register("2019-03-04", "Jeanne Martin", "jeanne@example.org");
    const recent = await register("2026-03-02", "Paul Durand", "paul@example.org");
    const before = await dashboard();
    // The request's audit lines hold the request as written, the person included, until it is anonymised.
    expect(await auditText()).toContain("Jeanne");
    expect(await applyAllRetention(t.database.db, now)).toBe(1);
    expect(await auditText()).not.toContain("Jeanne");
    expect(await auditText()).not.toContain("jeanne@example.org");
    expect(await auditText()).toContain("Paul Durand");
    expect(await dashboard()).toEqual(before);
    const gone = await request(old);
    const kept = await request(recent);
    expect(gone.request.requester).toEqual({ name: null, email: null, phone: null, address: null });
    expect(gone.request.subject).toBe("Demande anonymisée");
    expect(JSON.stringify(gone.whole)).not.toContain("Jeanne");
    expect(JSON.stringify(gone.whole)).not.toContain("06 12");
    expect(gone.request.status).toBe("closed");
    expect(kept.request.requester.name).toBe("Paul Durand");
    // A second run finds nothing: idempotent.
    expect(await applyAllRetention(t.database.db, now)).toBe(0);
    expect(await dashboard()).toEqual(before);
  });

  it("finds, exports and erases one person's data, each step in the audit log", async () => {
    const id = await register("2026-06-01", "Lucie Bernard", "lucie@example.org", "request");
    const data = await exportPerson(t.database.db, SYSTEM_ACTOR, org, { email: "LUCIE@example.org" });
    expect(data.requests.map((r) => r.id)).toEqual([id]);
    expect(data.notes.some((n) => n.note?.includes("Lucie"))).toBe(true);
    expect((await exportPerson(t.database.db, SYSTEM_ACTOR, org, { name: "bern" })).requests).toHaveLength(1);
    expect((await exportPerson(t.database.db, SYSTEM_ACTOR, org, { name: "%" })).requests).toHaveLength(0);
    const before = await dashboard();
    expect(await erasePerson(t.database.db, SYSTEM_ACTOR, org, { email: "lucie@example.org" })).toEqual({ requests: 1 });
    expect((await request(id)).request.requester.name).toBeNull();
    // Nor in the audit log's copies of the request; the trail of who did what stays.
    expect(await auditText()).not.toContain("Lucie Bernard");
    const trail = await t.database.db
      .selectFrom("audit_log")
      .select(["action"])
      .where("org_id", "=", org)
      .where("entity", "=", "request")
      .where("entity_id", "=", id)
      .execute();
    expect(trail.map((a) => a.action)).toEqual(expect.arrayContaining(["create", "update"]));
    expect(await dashboard()).toEqual(before);
    expect((await exportPerson(t.database.db, SYSTEM_ACTOR, org, { email: "lucie@example.org" })).requests).toHaveLength(0);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "entity"])
      .where("org_id", "=", org)
      .where("entity", "=", "personal_data")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["export", "anonymise"]));
  });

  it("erases survey comments past their period from the answer and the moderation queue, keeping the scores", async () => {
    const site = (
      await c.api("POST", "/api/v1/organisations", {
        name: "Mairie de Nantua",
        kind: "site",
        timeZone: "Europe/Paris",
        holidayZone: "metropole",
      })
    ).json().id;
    // A form is posted from its page, as a person does (the page gives the CSRF token).
    expect((await c.get(`/organisations/${site}/surveys`)).statusCode).toBe(200);
    const created = await c.post(`/organisations/${site}/surveys`, { template: "annual", channel: "" });
    const surveyId = /\/surveys\/([0-9a-f-]{36})\//.exec(String(created.headers.location))?.[1] ?? "";
    expect(created.statusCode).toBe(303);
    expect(surveyId).not.toBe("");
    const respondent = new Client(t.app);
    const form = (await respondent.api("GET", `/api/v1/public/organisations/${site}/surveys/${surveyId}`)).json();
    const sent = await respondent.api("POST", `/api/v1/public/organisations/${site}/surveys/${surveyId}/responses`, {
      formToken: form.formToken,
      answers: { overall: 2, comment: "L'agent Dupont, au 4 rue Neuve, m'a mal reçu" },
    });
    expect(sent.statusCode).toBe(201);
    const results = async () => (await c.api("GET", `/api/v1/organisations/${site}/surveys/${surveyId}/results`)).json();
    const stored = async () =>
      (
        await sql<{ comments: number; text: string }>`
          select (select count(*)::int from survey_comments where org_id = ${site}) as comments,
                 (select string_agg(answers::text, ' ') from survey_responses where org_id = ${site}) as text`.execute(t.database.db)
      ).rows[0];
    expect(await stored()).toMatchObject({ comments: 1, text: expect.stringContaining("Dupont") });
    const before = await results();
    // 24 months by default, counted from the answer: kept in mid-2027, gone in 2029.
    await applyRetention(t.database.db, site, new Date("2027-06-01T12:00:00Z"));
    expect((await stored())?.comments).toBe(1);
    await applyRetention(t.database.db, site, new Date("2029-06-01T12:00:00Z"));
    const after = await stored();
    expect(after?.comments).toBe(0);
    expect(after?.text).not.toContain("Dupont");
    expect(after?.text).toContain('"overall"');
    const now2 = await results();
    expect(now2.responses).toBe(before.responses);
    const overall = (r: { questions: { id: string }[] }) => r.questions.find((q) => q.id === "overall");
    expect(overall(now2)).toEqual(overall(before));
    // Idempotent: nothing left to erase, no new audit line.
    const lines = async () =>
      (await t.database.db.selectFrom("audit_log").select("id").where("org_id", "=", site).where("action", "=", "anonymise").execute())
        .length;
    const audited = await lines();
    expect(audited).toBe(1);
    await applyRetention(t.database.db, site, new Date("2029-06-01T12:00:00Z"));
    expect(await lines()).toBe(audited);
  });

  it("deletes audit lines past the organisation's period, once, and says so in the log", async () => {
    const site = (
      await c.api("POST", "/api/v1/organisations", {
        name: "Mairie d'Oyonnax",
        kind: "site",
        timeZone: "Europe/Paris",
        holidayZone: "metropole",
      })
    ).json().id as string;
    await savePrivacySettings(
      t.database.db,
      SYSTEM_ACTOR,
      site,
      { ...(await retentionPeriods(t.database.db, site)), audit: 12 },
      {
        contactEmail: "",
        dpoName: "",
        dpoEmail: "",
      },
    );
    const line = (at: string, label: string) => ({
      org_id: site,
      at: new Date(at),
      actor_id: null,
      actor_label: label,
      action: "update",
      entity: "request",
      entity_id: site,
      before: null,
      after: null,
    });
    await t.database.db
      .insertInto("audit_log")
      .values([
        line("2025-11-30T10:00:00Z", "trop vieux"),
        line("2025-12-05T10:00:00Z", "gardé"),
        line("2019-01-01T10:00:00Z", "très vieux"),
      ])
      .execute();
    const labels = async () =>
      (await t.database.db.selectFrom("audit_log").select("actor_label").where("org_id", "=", site).execute()).map((r) => r.actor_label);
    // 12 months before 4 December 2026: lines from 4 December 2025 on are kept.
    expect(await applyAuditRetention(t.database.db, now)).toBe(2);
    expect(await labels()).toContain("gardé");
    expect(await labels()).not.toContain("trop vieux");
    expect(await labels()).not.toContain("très vieux");
    const said = await t.database.db
      .selectFrom("audit_log")
      .select(["after"])
      .where("org_id", "=", site)
      .where("entity", "=", "audit_log")
      .execute();
    expect(said.map((r) => r.after)).toEqual([{ deleted: 2, before: "2025-12-04" }]);
    // The organisation of the first test keeps its 5 years: its lines of today stay.
    expect(await auditText()).toContain("Paul Durand");
    expect(await applyAuditRetention(t.database.db, now)).toBe(0);
  });

  it("tells the public who holds their data and for how long, from the settings in force", async () => {
    const visitor = new Client(t.app);
    const read = async () => {
      const res = await visitor.get(`/public/organisations/${org}/donnees-personnelles`);
      expect(res.statusCode).toBe(200);
      return res.body.replace(/\u00a0|&nbsp;/g, " ");
    };
    let html = await read();
    expect(html).toContain("Mairie de Bourg");
    expect(html).toContain("dpo@cdg01.fr");
    expect(html).toContain("Cdg 01");
    // Complaints: 24 months, set by the first test, said as « 2 ans ».
    expect(html).toMatch(/Réclamations<\/td>\s*<td>2 ans/);
    expect(html).toContain("CNIL");
    // The correspondent changes the period and the DPO on the page: the public page follows at once.
    expect((await c.get(`/organisations/${org}/privacy`)).statusCode).toBe(200);
    const values = {
      ...Object.fromEntries(Object.entries(await retentionPeriods(t.database.db, org)).map(([k, v]) => [`months_${k}`, String(v)])),
      months_complaints: "36",
      contactEmail: "mairie@bourg.fr",
      dpoName: "Centre de gestion de l'Ain",
      dpoEmail: "rgpd@cdg01.fr",
    };
    expect((await c.post(`/organisations/${org}/privacy/settings`, values)).statusCode).toBe(303);
    html = await read();
    expect(html).toMatch(/Réclamations<\/td>\s*<td>3 ans/);
    expect(html).toContain("rgpd@cdg01.fr");
    // A wrong address or a journal kept too long: a French message, nothing changed.
    const refused = await c.post(`/organisations/${org}/privacy/settings`, { ...values, dpoEmail: "pas une adresse", months_audit: "60" });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("Saisissez une adresse électronique valide");
    expect(refused.body.replace(/\u00a0|&nbsp;/g, " ").replaceAll("&#39;", "'")).toContain("Journal d'audit : au plus 36 mois.");
    expect(await read()).toContain("rgpd@cdg01.fr");
    expect((await retentionPeriods(t.database.db, org)).audit).toBe(12);
    // An unknown organisation is a 404, not a page.
    expect((await visitor.get("/public/organisations/00000000-0000-4000-8000-000000000000/donnees-personnelles")).statusCode).toBe(404);
  });

  it("refuses a search with neither e-mail nor name", async () => {
    await expect(exportPerson(t.database.db, SYSTEM_ACTOR, org, {})).rejects.toMatchObject({ code: "validation" });
  });
});
