import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { applyAllRetention, erasePerson, exportPerson, retentionPeriods, savePrivacySettings } from "./privacy.service.ts";
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
    expect(await applyAllRetention(t.database.db, now)).toBe(1);
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

  it("refuses a search with neither e-mail nor name", async () => {
    await expect(exportPerson(t.database.db, SYSTEM_ACTOR, org, {})).rejects.toMatchObject({ code: "validation" });
  });
});
