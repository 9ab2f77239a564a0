import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainSpaces } from "../../../test/support/typography.ts";
import "../../app/modules.ts";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { type SmtpListener, startSmtpListener } from "../../../test/support/smtp.ts";
import { enqueue, runDueJobs } from "../jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "../mail/mail.service.ts";

/** The letters use French no-break spaces (« 30 avril », « : »): compared here as plain spaces. */
const plain = plainSpaces;

/** Letters as they arrive on a real SMTP listener on loopback. */
describe("letters to the requester, by e-mail", () => {
  let t: TestApp;
  let c: Client;
  let smtp: SmtpListener;
  let site = "";
  beforeAll(async () => {
    smtp = await startSmtpListener();
    useMailTransport(createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: "Mairie de Lyon <accueil@mairie-lyon.example>" }));
    t = await startTestApp({ BASE_URL: "https://vigie.mairie-lyon.example" });
    c = await adminClient(t);
    site = (
      await c.api("POST", "/api/v1/organisations", {
        name: "Mairie de Lyon",
        kind: "site",
        timeZone: "Europe/Paris",
        holidayZone: "metropole",
      })
    ).json().id;
    await c.api("PUT", `/api/v1/organisations/${site}/framework`, { frameworkId: "marianne-2008" });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it("acknowledges a request with the announced delay and a tracking link that works", async () => {
    const created = await c.api("POST", `/api/v1/organisations/${site}/requests`, {
      kind: "request",
      channel: "letter",
      receivedOn: "2027-04-30",
      subject: "Acte de naissance",
      requesterName: "Élodie Martin",
      requesterEmail: "elodie@example.org",
    });
    const registered = created.json().request;
    // Registered by an agent: nothing leaves before the agent sends the acknowledgement.
    expect(registered.status).toBe("received");
    const sent = await c.api("POST", `/api/v1/organisations/${site}/requests/${registered.id}/acknowledgement`, {});
    expect(sent.statusCode).toBe(200);
    const r = sent.json();
    expect(r.status).toBe("acknowledged");
    await runDueJobs(t.database.db);
    const mail = await smtp.waitFor((m) => m.to.includes("elodie@example.org"));
    expect(mail.subject).toBe(`Mairie de Lyon — accusé de réception de votre demande n° ${r.number}`);
    expect(plain(mail.text)).toContain("dans un délai de 15 jours ouvrés, c'est-à-dire au plus tard le 25 mai 2027");
    const link = /https:\/\/vigie\.mairie-lyon\.example(\/track\?\S+)/.exec(mail.text)?.[1] ?? "";
    const page = await new Client(t.app).get(link);
    expect(page.statusCode).toBe(200);
    expect(plain(page.body)).toContain("Réponse attendue au plus tard le 25 mai 2027");
    expect(page.body).toContain('data-mail-status="sent"');
    // The e-mail gives the number and the short code too.
    expect(plain(mail.text)).toMatch(new RegExp(`avec le numéro ${r.number} et le code [A-Z2-9]{4}-[A-Z2-9]{4}`));
    // Printing the acknowledgement for the post (same code, derived) leaves the e-mailed link working.
    await c.get(`/organisations/${site}/requests/${r.id}`);
    const printed = await c.post(`/organisations/${site}/requests/${r.id}/letters/acknowledgement/print`, {});
    expect(printed.headers["content-type"]).toBe("application/pdf");
    expect(printed.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    expect((await new Client(t.app).get(link)).statusCode).toBe(200);
    // Running the queue again sends nothing more.
    await runDueJobs(t.database.db);
    expect(smtp.messages.filter((m) => m.to.includes("elodie@example.org"))).toHaveLength(1);
  });

  it("sends the holding reply with the new date, and the answer", async () => {
    const r = (
      await c.api("POST", `/api/v1/organisations/${site}/requests`, {
        kind: "complaint",
        channel: "email",
        receivedOn: "2027-04-30",
        subject: "Stationnement",
        requesterEmail: "paul@example.org",
      })
    ).json().request;
    const held = (
      await c.api("POST", `/api/v1/organisations/${site}/requests/${r.id}/holding`, {
        announcedOn: "2027-06-30",
        note: "Nous attendons l'avis de la police municipale.",
        version: r.version,
      })
    ).json();
    await c.api("POST", `/api/v1/organisations/${site}/requests/${r.id}/status`, {
      status: "answered",
      note: "Vu avec le chef de service.",
      message: "Votre amende est annulée.",
      version: held.version,
    });
    await runDueJobs(t.database.db);
    const holding = await smtp.waitFor((m) => m.to.includes("paul@example.org") && m.subject.includes("nouvelle date"));
    expect(plain(holding.text)).toContain("au plus tard le 30 juin 2027");
    expect(holding.text).toContain("Nous attendons l'avis de la police municipale.");
    const answer = await smtp.waitFor((m) => m.to.includes("paul@example.org") && m.subject.includes("réponse à votre réclamation"));
    expect(answer.text).toContain("Votre amende est annulée.");
    expect(answer.text).not.toContain("Vu avec le chef de service.");
  });

  it("uses the organisation's own template once edited, and refuses an unknown blank", async () => {
    await c.get(`/organisations/${site}/letters`);
    const bad = await c.post(`/organisations/${site}/letters/acknowledgement`, {
      subject: "Reçu {numero}",
      body: "Bonjour {prenom}",
      version: "0",
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Champ inconnu : {prenom}.");
    const ok = await c.post(`/organisations/${site}/letters/acknowledgement`, {
      subject: "Mairie de Lyon : dossier {numero} bien reçu",
      body: "Nous vous répondrons {delai}, au plus tard le {echeance}.",
      version: "0",
    });
    expect(ok.statusCode).toBe(303);
    const r = (
      await c.api("POST", `/api/v1/organisations/${site}/requests`, {
        kind: "request",
        channel: "email",
        receivedOn: "2027-04-30",
        subject: "Inscription",
        requesterEmail: "lea@example.org",
        requesterName: "Léa Petit",
        requesterAddress: "3 rue de la Paix, 69001 Lyon",
      })
    ).json().request;
    // The preview shows the letter as it will leave; nothing is queued by looking at it.
    const preview = await c.get(`/organisations/${site}/requests/${r.id}/letters/acknowledgement/preview`);
    expect(preview.statusCode).toBe(200);
    expect(plain(preview.body)).toContain("Nous vous répondrons dans un délai de 5 jours ouvrés, au plus tard le 10 mai 2027.");
    expect(preview.body).toContain("Ce courriel partira à lea@example.org");
    expect(await t.database.db.selectFrom("outbox").select("id").where("recipient", "=", "lea@example.org").execute()).toEqual([]);
    const sent = await c.post(`/organisations/${site}/requests/${r.id}/letters/acknowledgement/send`, {});
    expect(sent.statusCode).toBe(303);
    await runDueJobs(t.database.db);
    const mail = await smtp.waitFor((m) => m.to.includes("lea@example.org"));
    expect(plain(mail.subject)).toBe(`Mairie de Lyon : dossier ${r.number} bien reçu`);
    // Friday 30 April + 5 working days, Ascension (6 May) excepted.
    expect(plain(mail.text.trim())).toBe("Nous vous répondrons dans un délai de 5 jours ouvrés, au plus tard le 10 mai 2027.");

    // At the counter no delay is announced: this template's {echeance} has no value, the letter is refused, nothing queued.
    const counter = (
      await c.api("POST", `/api/v1/organisations/${site}/requests`, {
        kind: "request",
        channel: "counter",
        receivedOn: "2027-04-30",
        subject: "Carte grise",
        requesterEmail: "sans-delai@example.org",
      })
    ).json().request;
    expect(counter.dueOn).toBeNull();
    const refusedPreview = await c.get(`/organisations/${site}/requests/${counter.id}/letters/acknowledgement/preview`);
    expect(refusedPreview.statusCode).toBe(422);
    expect(refusedPreview.body).toContain("{echeance} (date limite de réponse");
    const refused = await c.api("POST", `/api/v1/organisations/${site}/requests/${counter.id}/acknowledgement`, {});
    expect(refused.statusCode).toBe(422);
    expect(refused.json().message ?? refused.body).toContain("{delai}");
    const untouched = (await c.api("GET", `/api/v1/organisations/${site}/requests/${counter.id}`)).json();
    expect(untouched.status).toBe("received");
    expect(await t.database.db.selectFrom("outbox").select("id").where("recipient", "=", "sans-delai@example.org").execute()).toEqual([]);
    const pdf = await c.get(`/organisations/${site}/requests/${r.id}/letters/acknowledgement`);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("sends each agent a daily reminder of overdue requests, once a day", async () => {
    await c.api("POST", `/api/v1/accounts`, {
      email: "agent@mairie-lyon.example",
      displayName: "Agent",
      password: "mot de passe du guichet",
      role: "agent",
      orgId: site,
    });
    await c.api("POST", `/api/v1/organisations/${site}/requests`, {
      kind: "request",
      channel: "letter",
      receivedOn: "2026-01-05",
      subject: "Vieux courrier",
    });
    for (let i = 0; i < 2; i++) {
      await enqueue(t.database.db, { name: "requests.digest", payload: {}, dedupeKey: `requests.digest:test:${i}` });
      await runDueJobs(t.database.db);
      await runDueJobs(t.database.db);
      await runDueJobs(t.database.db);
    }
    const digest = await smtp.waitFor((m) => m.to.includes("agent@mairie-lyon.example"));
    expect(digest.text).toContain("Vieux courrier");
    expect(digest.text).toContain("En retard");
    expect(smtp.messages.filter((m) => m.to.includes("agent@mairie-lyon.example"))).toHaveLength(1);
  });
});
