import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { collectMailbox, createMailbox } from "../mailboxes/mailboxes.service.ts";
import { digestAlerts, notify, runDeadlineAlerts } from "./alerts.service.ts";

describe("alerts on a real database: each kind fires, off means off, twice means once", () => {
  let t: TestApp;
  let admin: Client;
  let chloe: Client;
  let network = "";
  let site = "";
  let correspondent = "";
  let agent = "";
  const password = "un mot de passe solide";

  beforeAll(async () => {
    t = await startTestApp();
    admin = await adminClient(t);
    const base = { timeZone: "Europe/Paris", holidayZone: "metropole" };
    network = (await admin.api("POST", "/api/v1/organisations", { ...base, name: "Réseau", kind: "network" })).json().id;
    await admin.api("PUT", `/api/v1/organisations/${network}/framework`, { frameworkId: "marianne-2008" });
    site = (await admin.api("POST", "/api/v1/organisations", { ...base, name: "Mairie", kind: "site", parentId: network })).json().id;
    const account = async (email: string, displayName: string, role: string, orgId: string) =>
      (await admin.api("POST", "/api/v1/accounts", { email, displayName, password, role, orgId })).json().id as string;
    // The correspondent sits on the network, above the site: alerts of the site reach her.
    correspondent = await account("chloe@exemple.fr", "Chloé Correspondante", "correspondent", network);
    agent = await account("abel@exemple.fr", "Abel Agent", "agent", site);
    chloe = new Client(t.app);
    await chloe.login("chloe@exemple.fr", password);
  });
  afterAll(() => t.close());

  const db = () => t.database.db;
  const rows = (kind: string) =>
    db().selectFrom("notifications").select(["recipient_id", "mode", "key", "read_at", "digested_on"]).where("kind", "=", kind).execute();
  const mails = (subjectPart: string) =>
    db()
      .selectFrom("outbox")
      .select(["recipient", "subject", "body"])
      .where("kind", "=", "alert")
      .where("subject", "like", `%${subjectPart}%`)
      .execute();
  const complaint = async (subject: string) =>
    (
      await admin.api("POST", `/api/v1/organisations/${site}/requests`, {
        kind: "complaint",
        channel: "web",
        receivedOn: "2026-11-02",
        subject,
        requesterEmail: "usager@exemple.fr",
      })
    ).json().request as { id: string; number: string };

  it("a complaint alerts the correspondents above the site, once, by e-mail queued with the notification", async () => {
    const r = await complaint("Accueil désagréable");
    const found = await rows("complaint_received");
    expect(found.map((n) => n.recipient_id)).toEqual([correspondent]);
    expect(found.map((n) => n.recipient_id)).not.toContain(agent);
    const sent = await mails(r.number);
    expect(sent.map((m) => m.recipient)).toEqual(["chloe@exemple.fr"]);
    expect(sent[0]?.body).toContain(`/organisations/${site}/requests/${r.id}`);
    // The same key again changes nothing: no second row, no second e-mail.
    const again = await notify(db(), {
      orgId: site,
      kind: "complaint_received",
      key: r.id,
      title: "Réclamation reçue",
      text: "…",
      link: "/",
    });
    expect(again).toBe(0);
    expect(await rows("complaint_received")).toHaveLength(1);
    expect(await mails(r.number)).toHaveLength(1);
  });

  it("shows the count in the header and the list; marks one or all read; another person's id is not found", async () => {
    const page = await chloe.get("/organisations");
    expect(page.body).toContain("Notifications (1\u00a0non lue)");
    const list = await chloe.get("/notifications");
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain("Réclamation reçue");
    const [n] = await db().selectFrom("notifications").select("id").where("recipient_id", "=", correspondent).execute();
    const other = new Client(t.app);
    await other.login("abel@exemple.fr", password);
    await other.get("/notifications");
    expect((await other.post(`/notifications/${n?.id}/read`, {})).statusCode).toBe(404);
    expect((await chloe.post(`/notifications/${n?.id}/read`, {})).statusCode).toBe(303);
    expect((await chloe.get("/organisations")).body).not.toContain("notification non lue");
    expect((await chloe.post("/notifications/read-all", {})).statusCode).toBe(303);
    expect((await chloe.post("/notifications/not-an-id/read", {})).statusCode).toBe(400);
  });

  it("off means off: for the organisation, and for the person; « digest » goes once in the daily reminder, not by e-mail", async () => {
    await chloe.get(`/organisations/${site}/alerts`);
    const bad = await chloe.post(`/organisations/${site}/alerts`, { deadlineDays: "trois" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Indiquez un nombre entier de jours ouvrés, de 1 à 30.");
    expect(await db().selectFrom("alert_settings").selectAll().execute()).toEqual([]);
    // Every kind but the complaint.
    const on = ["deadline_soon", "deadline_passed", "survey_very_unhappy", "comment_to_moderate", "import_failed", "request_escalated"];
    const saved = await chloe.post(`/organisations/${site}/alerts`, {
      deadlineDays: "3",
      ...Object.fromEntries(on.map((k) => [`kind_${k}`, "true"])),
    });
    expect(saved.statusCode).toBe(303);
    const off = await complaint("Deuxième réclamation");
    expect((await rows("complaint_received")).length).toBe(1);
    expect(await mails(off.number)).toEqual([]);

    await chloe.get("/compte/alertes");
    const refused = await chloe.post("/compte/alertes", { import_failed: "parfois" });
    expect(refused.statusCode).toBe(400);
    expect((await chloe.post("/compte/alertes", { import_failed: "off", survey_very_unhappy: "digest" })).statusCode).toBe(303);
    const fire = (kind: "import_failed" | "survey_very_unhappy", key: string) =>
      notify(db(), { orgId: site, kind, key, subject: { type: "import", id: site }, title: `Alerte ${kind}`, text: "Texte", link: "/" });
    expect(await fire("import_failed", "import-1")).toBe(0);
    expect(await fire("survey_very_unhappy", "answer-1")).toBe(1);
    expect(await mails("Alerte survey_very_unhappy")).toEqual([]);
    const section = await digestAlerts(db(), correspondent, [site], "2026-11-03");
    expect(section).toContain("Alerte survey_very_unhappy");
    expect(await digestAlerts(db(), correspondent, [site], "2026-11-04")).toBeNull();
  });

  it("comment to moderate and escalation reach their recipients; an explicit recipient list is exact", async () => {
    expect(
      await notify(db(), {
        orgId: site,
        kind: "comment_to_moderate",
        key: "c-1",
        subject: { type: "survey", id: site },
        title: "Commentaire à modérer",
        text: "Texte",
        link: "/",
      }),
    ).toBe(1);
    expect(
      await notify(db(), {
        orgId: site,
        kind: "request_escalated",
        key: "r-1:1",
        recipients: [agent],
        title: "Demande transmise",
        text: "Texte",
        link: "/",
      }),
    ).toBe(1);
    expect((await rows("request_escalated")).map((n) => n.recipient_id)).toEqual([agent]);
    expect((await mails("Demande transmise")).map((m) => m.recipient)).toEqual(["abel@exemple.fr"]);
  });

  it("a mailbox that cannot be collected alerts once per failing streak", async () => {
    // Back to the defaults (every kind by e-mail at once).
    await chloe.post("/compte/alertes", {});
    const mailboxId = await createMailbox(db(), { accountId: null, label: "test" }, site, {
      label: "Accueil",
      host: "127.0.0.1",
      port: 1,
      security: "none",
      username: "accueil",
      auth: "password",
      secret: "secret",
      folder: "INBOX",
    });
    const first = await collectMailbox(db(), site, mailboxId, { now: new Date(), baseUrl: "" });
    expect(first.error).toBeTruthy();
    await collectMailbox(db(), site, mailboxId, { now: new Date(), baseUrl: "" });
    const found = await rows("import_failed");
    expect(found.filter((n) => n.key.startsWith(`mailbox:${mailboxId}:`)).map((n) => n.recipient_id)).toEqual([correspondent]);
    expect((await mails("Relève de la boîte « Accueil » en échec")).map((m) => m.recipient)).toEqual(["chloe@exemple.fr"]);
  });

  it("a survey answer « très insatisfait » with a comment alerts twice (two kinds), and once only", async () => {
    await admin.get(`/organisations/${site}/surveys`);
    const created = await admin.post(`/organisations/${site}/surveys`, { template: "annual", channel: "" });
    expect(created.statusCode, created.body.slice(0, 300)).toBe(303);
    const surveyId = /\/surveys\/([0-9a-f-]{36})\//.exec(String(created.headers.location))?.[1] ?? "";
    expect(surveyId).not.toBe("");
    const c = new Client(t.app);
    const form = (await c.api("GET", `/api/v1/public/organisations/${site}/surveys/${surveyId}`)).json();
    const url = `/api/v1/public/organisations/${site}/surveys/${surveyId}/responses`;
    const body = { formToken: form.formToken, answers: { overall: 1, comment: "Personne au guichet." } };
    expect((await c.api("POST", url, body)).statusCode).toBe(201);
    expect((await c.api("POST", url, body)).statusCode).toBe(400);
    expect((await rows("survey_very_unhappy")).filter((n) => n.key !== "answer-1")).toHaveLength(1);
    expect(await rows("comment_to_moderate")).toHaveLength(2);
    const calm = (await c.api("GET", `/api/v1/public/organisations/${site}/surveys/${surveyId}`)).json();
    expect((await c.api("POST", url, { formToken: calm.formToken, answers: { overall: 4 } })).statusCode).toBe(201);
    expect((await rows("survey_very_unhappy")).filter((n) => n.key !== "answer-1")).toHaveLength(1);
  });

  it("the daily deadline scan alerts N working days ahead and when passed, for every organisation at once, and twice is once", async () => {
    await chloe.post("/compte/alertes", {});
    // Monday 9 November 2026 at 8 h in Paris. N = 3 on the site (set above).
    const now = new Date("2026-11-09T07:00:00Z");
    const soon = (
      await admin.api("POST", `/api/v1/organisations/${site}/requests`, {
        kind: "request",
        channel: "email",
        receivedOn: "2026-11-04",
        subject: "Bientôt",
      })
    ).json().request;
    const late = (
      await admin.api("POST", `/api/v1/organisations/${site}/requests`, {
        kind: "request",
        channel: "email",
        receivedOn: "2026-10-26",
        subject: "En retard",
      })
    ).json().request;
    const far = (
      await admin.api("POST", `/api/v1/organisations/${site}/requests`, {
        kind: "request",
        channel: "letter",
        receivedOn: "2026-11-09",
        subject: "Loin",
      })
    ).json().request;
    expect(soon.dueOn > "2026-11-09").toBe(true);
    expect(late.dueOn < "2026-11-09").toBe(true);
    const first = await runDeadlineAlerts(db(), now);
    const second = await runDeadlineAlerts(db(), now);
    expect(second).toBe(0);
    const soonRows = await rows("deadline_soon");
    const passedRows = await rows("deadline_passed");
    expect(first).toBe(soonRows.length + passedRows.length);
    expect(soonRows.map((r) => r.key)).toEqual([`${soon.id}:${soon.dueOn}`]);
    expect(passedRows.map((r) => r.key)).toEqual([`${late.id}:${late.dueOn}`]);
    expect(soonRows.map((r) => r.key).join()).not.toContain(far.id);
    expect(await mails("Échéance proche")).toHaveLength(1);
  });
});
