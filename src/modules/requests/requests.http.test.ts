import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { localDay } from "../../kernel/time.ts";

describe("requests with their announced deadlines, on a real database", () => {
  let t: TestApp;
  let c: Client;
  let strasbourg = "";
  let lyon = "";
  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const base = { timeZone: "Europe/Paris", kind: "site" };
    const network = (
      await c.api("POST", "/api/v1/organisations", { ...base, name: "Réseau", kind: "network", holidayZone: "metropole" })
    ).json().id;
    await c.api("PUT", `/api/v1/organisations/${network}/framework`, { frameworkId: "marianne-2008" });
    strasbourg = (
      await c.api("POST", "/api/v1/organisations", { ...base, name: "Strasbourg", parentId: network, holidayZone: "alsace-moselle" })
    ).json().id;
    lyon = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Lyon", parentId: network, holidayZone: "metropole" })).json().id;
  });
  afterAll(() => t.close());

  const letter = (orgId: string, receivedOn: string, extra: Record<string, unknown> = {}) =>
    c.api("POST", `/api/v1/organisations/${orgId}/requests`, {
      kind: "request",
      channel: "letter",
      receivedOn,
      subject: "Courrier",
      ...extra,
    });

  it("gives a letter of 30 April 2027 fifteen working days, around 1 May, 8 May, Ascension and Whit Monday", async () => {
    for (const orgId of [strasbourg, lyon]) {
      const r = (await letter(orgId, "2027-04-30")).json().request;
      expect(r.dueOn).toBe("2027-05-25");
      expect(r.target).toEqual({ value: 15, unit: "working_days" });
      expect(r.commitmentId).toBe("marianne-2008/10");
      expect(r.number).toMatch(/^2027-\d{6}$/);
    }
  });

  it("knows Good Friday is a holiday in Strasbourg, not in Lyon", async () => {
    // Received Thursday 25 March 2027; Good Friday is 26 March, Easter Monday 29 March is off everywhere.
    expect((await letter(strasbourg, "2027-03-25")).json().request.dueOn).toBe("2027-04-19");
    expect((await letter(lyon, "2027-03-25")).json().request.dueOn).toBe("2027-04-16");
  });

  it("counts the organisation's own closure days, its parents' too, out of the deadline", async () => {
    const orgs = (await c.api("GET", "/api/v1/organisations")).json() as Array<{ id: string; name: string }>;
    const network = orgs.find((o) => o.name === "Réseau")?.id;
    const bad = await c.api("POST", `/api/v1/organisations/${lyon}/closures`, { day: "2027-02-30", label: "" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields).toMatchObject({ day: "Cette date n'existe pas.", label: "Le motif est obligatoire." });
    // The bridge day after Ascension, closed by the network for all its sites.
    expect(
      (await c.api("POST", `/api/v1/organisations/${network}/closures`, { day: "2027-05-07", label: "Pont de l'Ascension" })).statusCode,
    ).toBe(204);
    expect((await letter(lyon, "2027-04-30")).json().request.dueOn).toBe("2027-05-26");
    expect((await c.get(`/organisations/${lyon}/closures`)).body).toContain("Pont de l&#39;Ascension");
    expect((await c.api("DELETE", `/api/v1/organisations/${network}/closures/2027-05-07`)).statusCode).toBe(204);
    expect((await letter(lyon, "2027-04-30")).json().request.dueOn).toBe("2027-05-25");
  });

  it("uses each channel's and kind's delay: 5 working days for e-mails, 15 for complaints, none for the counter", async () => {
    const email = (
      await c.api("POST", `/api/v1/organisations/${lyon}/requests`, {
        kind: "request",
        channel: "email",
        receivedOn: "2027-06-07",
        subject: "Mail",
      })
    ).json();
    expect(email.request.dueOn).toBe("2027-06-14");
    const complaint = (
      await c.api("POST", `/api/v1/organisations/${lyon}/requests`, {
        kind: "complaint",
        channel: "counter",
        receivedOn: "2027-06-07",
        subject: "Attente",
      })
    ).json();
    expect(complaint.request.commitmentId).toBe("marianne-2008/13");
    expect(complaint.request.dueOn).toBe("2027-06-28");
    const counter = (
      await c.api("POST", `/api/v1/organisations/${lyon}/requests`, {
        kind: "request",
        channel: "counter",
        receivedOn: "2027-06-07",
        subject: "Guichet",
      })
    ).json();
    expect(counter.request.dueOn).toBeNull();
  });

  it("refuses bad input with a French message per field and writes nothing", async () => {
    const before = (await c.api("GET", `/api/v1/organisations/${lyon}/requests`)).json().items.length;
    const bad = await c.api("POST", `/api/v1/organisations/${lyon}/requests`, {
      kind: "demande",
      channel: "pigeon",
      receivedOn: "2027-02-30",
      subject: "",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields).toMatchObject({
      kind: "Choisissez : demande, réclamation ou suggestion.",
      channel: "Choisissez le canal de réception.",
      receivedOn: "Cette date n'existe pas.",
      subject: "L'objet est obligatoire.",
    });
    expect((await c.api("GET", `/api/v1/organisations/${lyon}/requests`)).json().items.length).toBe(before);
  });

  it("moves through its statuses, refuses a stale edit and an impossible move", async () => {
    const r = (await letter(lyon, "2027-05-03")).json().request;
    const ack = await c.api("POST", `/api/v1/organisations/${lyon}/requests/${r.id}/status`, {
      status: "acknowledged",
      version: r.version,
    });
    expect(ack.statusCode).toBe(200);
    const stale = await c.api("POST", `/api/v1/organisations/${lyon}/requests/${r.id}/status`, {
      status: "in_progress",
      version: r.version,
    });
    expect(stale.statusCode).toBe(409);
    const impossible = await c.api("POST", `/api/v1/organisations/${lyon}/requests/${r.id}/status`, {
      status: "received",
      version: ack.json().version,
    });
    expect(impossible.statusCode).toBe(400);
    expect(impossible.json().fields.status).toContain("Impossible de passer");
    const page = await c.get(`/organisations/${lyon}/requests/${r.id}`);
    // Acknowledged by hand (a letter handed over at the counter): no e-mail, so the badge claims none.
    expect(page.body).toContain("Réception accusée");
    expect(page.body).not.toContain("Accusé de réception envoyé");
    const audit = (await c.api("GET", `/api/v1/audit?entity=request&entityId=${r.id}`)).json() as Array<{
      action: string;
      after: { status: string };
    }>;
    expect(audit.map((e) => `${e.action}:${e.after.status}`)).toEqual(["update:acknowledged", "create:received"]);
  });

  it("pauses the clock while waiting for the requester, and moves the deadline by the pause", async () => {
    const r = (await letter(lyon, "2027-05-03")).json().request;
    const waiting = (
      await c.api("POST", `/api/v1/organisations/${lyon}/requests/${r.id}/status`, {
        status: "waiting",
        pauseClock: true,
        version: r.version,
      })
    ).json();
    expect(waiting.pausedSince).not.toBeNull();
    // Pretend the pause began three weeks ago: at least ten working days, whatever today is.
    const threeWeeksAgo = new Date(Date.now() - 21 * 86_400_000).toISOString().slice(0, 10);
    await t.database.db.updateTable("requests").set({ paused_since: threeWeeksAgo }).where("id", "=", r.id).execute();
    // The service resumes today; the deadline moves by the working days between the pause and today.
    const resumed = (
      await c.api("POST", `/api/v1/organisations/${lyon}/requests/${r.id}/status`, { status: "in_progress", version: waiting.version })
    ).json();
    expect(resumed.pausedSince).toBeNull();
    const moved = (Date.parse(resumed.dueOn) - Date.parse(r.dueOn)) / 86_400_000;
    expect(moved).toBeGreaterThanOrEqual(14);
  });

  it("hands a request to a service of the organisation and to someone who handles requests there, nobody else", async () => {
    const r = (await letter(lyon, "2027-05-03")).json().request;
    const outsider = await c.api("POST", `/api/v1/organisations/${lyon}/requests/${r.id}/assignment`, {
      serviceId: strasbourg,
      version: r.version,
    });
    expect(outsider.statusCode).toBe(400);
    expect(outsider.json().fields.serviceId).toBe("Ce service n'appartient pas à l'organisation.");
    const agent = (
      await c.api("POST", "/api/v1/accounts", {
        email: "agent.strasbourg@test.fr",
        displayName: "Agent",
        password: "mot de passe du guichet",
        role: "agent",
        orgId: strasbourg,
      })
    ).json();
    const wrongPerson = await c.api("POST", `/api/v1/organisations/${lyon}/requests/${r.id}/assignment`, {
      assigneeId: agent.id,
      version: r.version,
    });
    expect(wrongPerson.statusCode).toBe(400);
    await c.get(`/organisations/${lyon}/requests/${r.id}`);
    const mine = await c.post(`/organisations/${lyon}/requests/${r.id}/assignment`, { assignee: "me", version: String(r.version) });
    expect(mine.statusCode).toBe(303);
    const queue = (await c.api("GET", `/api/v1/organisations/${lyon}/requests?queue=mine`)).json().items as Array<{ id: string }>;
    expect(queue.map((x) => x.id)).toContain(r.id);
    // Changing nothing about the person keeps them.
    const fresh = (await c.api("GET", `/api/v1/organisations/${lyon}/requests/${r.id}`)).json();
    await c.get(`/organisations/${lyon}/requests/${r.id}`);
    await c.post(`/organisations/${lyon}/requests/${r.id}/assignment`, { assignee: "keep", serviceId: "", version: String(fresh.version) });
    expect((await c.api("GET", `/api/v1/organisations/${lyon}/requests/${r.id}`)).json().assigneeId).toBe(fresh.assigneeId);
  });

  it("announces a new date with a holding reply, keeping the original deadline", async () => {
    const r = (await letter(lyon, "2027-05-03")).json().request;
    const held = await c.api("POST", `/api/v1/organisations/${lyon}/requests/${r.id}/holding`, {
      announcedOn: "2027-06-30",
      note: "Dossier complexe.",
      version: r.version,
    });
    expect(held.statusCode).toBe(200);
    expect(held.json()).toMatchObject({ announcedOn: "2027-06-30", dueOn: r.dueOn });
  });

  it("counts answers in the indicators, up the tree, from the rollup", async () => {
    const a = (await letter(strasbourg, "2026-01-05")).json().request;
    const b = (await letter(strasbourg, "2026-01-05")).json().request;
    await c.api("POST", `/api/v1/organisations/${strasbourg}/requests/${a.id}/status`, {
      status: "answered",
      version: a.version,
      on: "2026-01-20",
    });
    // b is answered late: its deadline has long passed.
    await t.database.db.updateTable("requests").set({ due_on: "2026-01-06" }).where("id", "=", b.id).execute();
    const bFresh = (await c.api("GET", `/api/v1/organisations/${strasbourg}/requests/${b.id}`)).json();
    await c.api("POST", `/api/v1/organisations/${strasbourg}/requests/${b.id}/status`, { status: "answered", version: bFresh.version });
    // An answer at the counter, where no delay was announced, does not count for or against the in-time share.
    const counter = (
      await c.api("POST", `/api/v1/organisations/${strasbourg}/requests`, {
        kind: "request",
        channel: "counter",
        receivedOn: "2026-01-05",
        subject: "Guichet",
      })
    ).json().request;
    await c.api("POST", `/api/v1/organisations/${strasbourg}/requests/${counter.id}/status`, {
      status: "answered",
      version: counter.version,
      on: "2026-01-05",
    });
    const site = (await c.api("GET", `/api/v1/organisations/${strasbourg}/request-indicators?from=2026-01-01&to=2026-01-31`)).json();
    expect(site.total).toMatchObject({ received: 3, answered: 3, answeredWithTarget: 2, answeredInTime: 1, inTimeRate: 0.5 });
    // Response times 0 (counter), 11 (a: 5 to 20 January 2026) and more than that (b): the median is 11 working days.
    expect(site.total.medianDays).toBe(11);
    // Reopening a takes its answer back out of every figure, its response time included.
    const aNow = (await c.api("GET", `/api/v1/organisations/${strasbourg}/requests/${a.id}`)).json();
    await c.api("POST", `/api/v1/organisations/${strasbourg}/requests/${a.id}/status`, { status: "in_progress", version: aNow.version });
    const reopened = (await c.api("GET", `/api/v1/organisations/${strasbourg}/request-indicators?from=2026-01-01&to=2026-01-31`)).json();
    expect(reopened.total).toMatchObject({ answered: 2, answeredWithTarget: 1, answeredInTime: 0, medianDays: 0 });
    const orgs = (await c.api("GET", "/api/v1/organisations")).json() as Array<{ id: string; name: string }>;
    const network = orgs.find((o) => o.name === "Réseau")?.id;
    const all = (await c.api("GET", `/api/v1/organisations/${network}/request-indicators?from=2026-01-01&to=2027-12-31`)).json();
    expect(all.total.received).toBeGreaterThanOrEqual(site.total.received + 5);
    expect(all.byChannel.map((x: { channel: string }) => x.channel)).toContain("letter");
    const page = await c.get(`/organisations/${network}/requests/indicators?from=2026-01-01&to=2027-12-31`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<svg");
  });

  it("lets the public file a complaint without an account, and follow it with the receipt", async () => {
    const visitor = new Client(t.app);
    await visitor.get(`/public/organisations/${lyon}/complaint`);
    const bad = await visitor.post(`/public/organisations/${lyon}/complaint`, {
      kind: "complaint",
      subject: "Attente",
      body: "Trop long",
      requesterName: "Jean",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Indiquez une adresse électronique ou une adresse postale");
    const ok = await visitor.post(`/public/organisations/${lyon}/complaint`, {
      kind: "complaint",
      subject: "Attente au guichet",
      body: "J'ai attendu deux heures.",
      requesterName: "Jean Dupont",
      requesterEmail: "jean@example.org",
    });
    expect(ok.statusCode).toBe(303);
    const receipt = await visitor.get(ok.headers.location ?? "");
    expect(receipt.body).toMatch(/Numéro de dossier : <span class="vigie-nowrap">\d{4}-\d{6}<\/span>/);
    const track = /href="(\/track\?[^"]*token=[^"]+)"/.exec(receipt.body)?.[1]?.replaceAll("&amp;", "&") ?? "";
    const tracking = await new Client(t.app).get(track);
    expect(tracking.statusCode).toBe(200);
    expect(tracking.body).toContain("Reçue");
    expect(tracking.body).not.toContain("deux heures");
    const wrong = await new Client(t.app).get(track.replace(/token=[^&]+/, "token=faux"));
    expect(wrong.statusCode).toBe(404);
  });

  it("stores nothing when the hidden field is filled, and stops a flood from one source", async () => {
    const robot = new Client(t.app);
    await robot.get(`/public/organisations/${lyon}/complaint`);
    const before = (await c.api("GET", `/api/v1/organisations/${lyon}/requests`)).json().items.length;
    const fields = {
      kind: "suggestion",
      subject: "Promo",
      body: "Achetez",
      requesterName: "Bot",
      requesterEmail: "bot@spam.example",
      website: "http://spam.example",
    };
    expect((await robot.post(`/public/organisations/${lyon}/complaint`, fields)).statusCode).toBe(303);
    expect((await c.api("GET", `/api/v1/organisations/${lyon}/requests`)).json().items.length).toBe(before);
    let status = 303;
    for (let i = 0; i < 6 && status === 303; i++) status = (await robot.post(`/public/organisations/${lyon}/complaint`, fields)).statusCode;
    expect(status).toBe(429);
  });

  it("lists the queues of my service and of what falls due within two working days", async () => {
    const service = (
      await c.api("POST", "/api/v1/organisations", {
        name: "État civil",
        kind: "service",
        parentId: lyon,
        timeZone: "Europe/Paris",
        holidayZone: "metropole",
      })
    ).json().id;
    const referent = (
      await c.api("POST", "/api/v1/accounts", {
        email: "referent.lyon@test.fr",
        displayName: "Référente",
        password: "mot de passe du bureau",
        role: "referent",
        orgId: lyon,
      })
    ).json();
    await c.api("POST", `/api/v1/accounts/${referent.id}/grants`, { role: "agent", orgId: service });
    // Lyon's today, not UTC's: between midnight in Paris and midnight UTC they differ.
    const today = localDay("Europe/Paris");
    const mail = (
      await c.api("POST", `/api/v1/organisations/${lyon}/requests`, {
        kind: "request",
        channel: "email",
        receivedOn: today,
        subject: "Pour l'état civil",
        serviceId: service,
      })
    ).json().request;
    const elsewhere = (await letter(lyon, today, { subject: "Pour l'accueil" })).json().request;
    const r = new Client(t.app);
    await r.login("referent.lyon@test.fr", "mot de passe du bureau");
    const mine = (await r.api("GET", `/api/v1/organisations/${lyon}/requests?queue=service`)).json().items as Array<{ id: string }>;
    expect(mine.map((x) => x.id)).toContain(mail.id);
    expect(mine.map((x) => x.id)).not.toContain(elsewhere.id);
    // Due within two working days: a request due today or tomorrow, not one due in three weeks.
    await t.database.db.updateTable("requests").set({ due_on: today }).where("id", "=", mail.id).execute();
    const soon = (await r.api("GET", `/api/v1/organisations/${lyon}/requests?queue=due-soon`)).json().items as Array<{ id: string }>;
    expect(soon.map((x) => x.id)).toContain(mail.id);
    expect(soon.map((x) => x.id)).not.toContain(elsewhere.id);
  });

  it("reads a request under the framework now in force after a change of framework", async () => {
    const r = (await letter(lyon, "2027-04-30")).json().request;
    expect(r.commitmentId).toBe("marianne-2008/10");
    await c.api("PUT", `/api/v1/organisations/${lyon}/framework`, { frameworkId: "sp+2021" });
    const page = await c.get(`/organisations/${lyon}/requests/${r.id}`);
    expect(page.body).toContain("engagement marianne-2008/10, aujourd&#39;hui sp+2021/5");
    await c.api("PUT", `/api/v1/organisations/${lyon}/framework`, {});
  });

  it("lists the overdue queue and the registration form keeps what was typed", async () => {
    await letter(lyon, "2026-01-05", { subject: "Oublié" });
    await letter(lyon, new Date().toISOString().slice(0, 10), { subject: "Récent" });
    const overdue = (await c.api("GET", `/api/v1/organisations/${lyon}/requests?queue=overdue`)).json().items as Array<{ subject: string }>;
    expect(overdue.map((r) => r.subject)).toContain("Oublié");
    expect(overdue.map((r) => r.subject)).not.toContain("Récent");
    expect((await c.get(`/organisations/${lyon}/requests?queue=overdue`)).body).toContain("en retard");
    await c.get(`/organisations/${lyon}/requests/new`);
    const form = await c.post(`/organisations/${lyon}/requests/new`, {
      kind: "request",
      channel: "letter",
      receivedOn: "2027-13-01",
      subject: "Permis",
    });
    expect(form.statusCode).toBe(400);
    expect(form.body).toContain('value="Permis"');
    const created = await c.post(`/organisations/${lyon}/requests/new`, {
      kind: "request",
      channel: "letter",
      receivedOn: "2027-04-30",
      subject: "Permis",
    });
    expect(created.statusCode).toBe(303);
    expect((await c.get(created.headers.location ?? "")).body).toContain("25\u00a0mai 2027");
  });
});
