import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../app/modules.ts";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { engineName } from "../../../test/support/database.ts";
import { type SmtpListener, startSmtpListener } from "../../../test/support/smtp.ts";
import { runDueJobs } from "../jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "./mail.service.ts";

/** Pages use French no-break spaces: compared here as plain spaces. */
const plain = (text: string) =>
  text
    .replace(/[\u00a0\u202f]/g, " ")
    .replaceAll("&#39;", "'")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");
const main = (html: string) => plain(html.slice(html.indexOf("<main"), html.indexOf("</main>")));
const BANNER_OFF = "Les courriels ne partent pas : aucun serveur d'envoi (SMTP_URL) n'est configuré.";

/**
 * What the pages say of each e-mail, SMTP off then on, against a real SMTP listener: « en file »,
 * then « échec : SMTP non configuré », the administrator banner, « Renvoyer », then « envoyé » only
 * once the listener has the message.
 */
describe(`the true state of e-mails on the pages (${engineName})`, () => {
  let t: TestApp;
  let c: Client;
  let smtp: SmtpListener;
  let site = "";
  let requestId = "";
  const page = (id = requestId) => `/organisations/${site}/requests/${id}`;

  beforeAll(async () => {
    smtp = await startSmtpListener();
    useMailTransport(createMailTransport({}));
    t = await startTestApp({ BASE_URL: "https://vigie.mairie-dole.example" });
    c = await adminClient(t);
    site = (
      await c.api("POST", "/api/v1/organisations", {
        name: "Mairie de Dole",
        kind: "site",
        timeZone: "Europe/Paris",
        holidayZone: "metropole",
      })
    ).json().id;
    await c.api("PUT", `/api/v1/organisations/${site}/framework`, { frameworkId: "marianne-2008" });
    requestId = (
      await c.api("POST", `/api/v1/organisations/${site}/requests`, {
        kind: "request",
        channel: "email",
        receivedOn: "2026-12-01",
        subject: "Inscription à la cantine",
        requesterEmail: "camille@example.org",
      })
    ).json().request.id;
  });
  afterAll(async () => {
    useMailTransport(createMailTransport({}));
    await t.close();
    await smtp.close();
  });

  it("shows « en file » once sent, then « échec : SMTP non configuré » after the job ran, with the banner", async () => {
    const before = main((await c.get(page())).body);
    expect(before).toContain("Aucun courriel pour l'instant.");
    expect(before).toContain("Préparer l'accusé de réception");
    expect(plain((await c.get("/organisations")).body)).toContain(BANNER_OFF);

    const preview = await c.get(`${page()}/letters/acknowledgement/preview`);
    expect(main(preview.body)).toContain("Nous nous engageons à vous répondre dans un délai de 5 jours ouvrés");
    expect(main(preview.body)).toContain("Ce courriel partira à camille@example.org");
    expect((await c.post(`${page()}/letters/acknowledgement/send`, {})).statusCode).toBe(303);

    const queued = main((await c.get(page())).body);
    expect(queued).toContain("Accusé de réception : courriel en file");
    expect(queued).toMatch(
      /Accusé de réception à camille@example\.org — <span[^>]*data-mail-status="queued"[^>]*><span[^>]*>en file<\/span> prochain essai le/,
    );
    expect(queued).not.toContain("Accusé de réception envoyé");

    expect(await runDueJobs(t.database.db)).toMatchObject({ failed: 1 });
    const failed = main((await c.get(page())).body);
    expect(failed).toContain("Accusé de réception : échec de l'envoi");
    expect(failed).toMatch(/data-mail-status="failed"[^>]*><span[^>]*>échec<\/span> : SMTP non configuré/);
    // The history line of the acknowledgement carries the same state.
    const history = failed.slice(failed.indexOf("Historique"));
    expect(history).toMatch(
      /Reçue → Réception accusée — Alice Admin[^:]*: Accusé de réception par courriel à camille@example\.org — <span[^>]*data-mail-status="failed"/,
    );
    expect(failed).toContain("Renvoyer");

    const banner = plain((await c.get("/organisations")).body);
    expect(banner).toContain(BANNER_OFF);
    expect(banner).toContain("1 courriel non envoyé");
    expect(banner).toContain('href="/mail"');
    const list = main((await c.get("/mail")).body);
    expect(list).toContain("Mairie de Dole — accusé de réception de votre demande n°");
    expect(list).toContain("SMTP non configuré");
  });

  it("shows the tracking page's e-mail in the same state", async () => {
    const row = await t.database.db.selectFrom("outbox").select("body").where("request_id", "=", requestId).executeTakeFirstOrThrow();
    const link = /https:\/\/vigie\.mairie-dole\.example(\/track\?\S+)/.exec(row.body)?.[1] ?? "";
    const tracking = await c.get(link);
    expect(tracking.statusCode).toBe(200);
    expect(main(tracking.body)).toMatch(/Accusé de réception : <span[^>]*data-mail-status="failed"/);
  });

  it("sends on « Renvoyer » once SMTP is set, says « envoyé » only after the listener has it, and drops the banner", async () => {
    useMailTransport(createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: "Mairie de Dole <accueil@dole.example>" }));
    const banner = plain((await c.get("/organisations")).body);
    expect(banner).not.toContain(BANNER_OFF);
    expect(banner).toContain("Les derniers envois ont échoué : 1 courriel en échec.");

    const outboxId = (await t.database.db.selectFrom("outbox").select("id").where("request_id", "=", requestId).executeTakeFirstOrThrow())
      .id;
    await c.get(page());
    const retried = await c.post(`/organisations/${site}/mail/${outboxId}/retry`, { back: page() });
    expect(retried.statusCode).toBe(303);
    expect(retried.headers.location).toBe(`${page()}?ok=mail.retried`);
    const waiting = main((await c.get(page())).body);
    expect(waiting).toMatch(
      /data-mail-status="queued"[^>]*><span[^>]*>en file<\/span> prochain essai le .* \(dernier essai : SMTP non configuré\)/,
    );
    expect(smtp.messages).toEqual([]);

    expect(await runDueJobs(t.database.db)).toMatchObject({ done: 1 });
    await smtp.waitFor((m) => m.to.includes("camille@example.org"));
    const sent = main((await c.get(page())).body);
    expect(sent).toContain("Accusé de réception envoyé");
    expect(sent).toMatch(/data-mail-status="sent"[^>]*><span[^>]*>envoyé<\/span> le \d+(er)? décembre 2026 à \d+ h/);
    expect(plain((await c.get("/organisations")).body)).not.toContain('id="mail-banner"');
    // Retrying a sent message is refused, nothing sent twice.
    const again = await c.post(`/organisations/${site}/mail/${outboxId}/retry`, {});
    expect(again.statusCode).toBe(409);
    expect(smtp.messages).toHaveLength(1);
  });

  it("says « échec » with the reason when the server refuses the recipient", async () => {
    smtp.rejectRecipients = true;
    try {
      const id = (
        await c.api("POST", `/api/v1/organisations/${site}/requests`, {
          kind: "complaint",
          channel: "letter",
          receivedOn: "2026-12-02",
          subject: "Bruit",
          requesterEmail: "refuse@example.org",
        })
      ).json().request.id;
      await c.api("POST", `/api/v1/organisations/${site}/requests/${id}/acknowledgement`, {});
      await runDueJobs(t.database.db);
      const failed = main((await c.get(page(id))).body);
      expect(failed).toMatch(/data-mail-status="failed"[^>]*><span[^>]*>échec<\/span> : adresse refusée \(550 /);
      expect(plain((await c.get("/organisations")).body)).toContain("Les derniers envois ont échoué : 1 courriel en échec.");
    } finally {
      smtp.rejectRecipients = false;
    }
  });

  it("shows the holding reply before it leaves, and writes nothing until « Envoyer »", async () => {
    const r = (await c.api("GET", `/api/v1/organisations/${site}/requests/${requestId}`)).json();
    const fields = { announcedOn: "2026-12-18", note: "Nous attendons la place libérée par un départ.", version: String(r.version) };
    const preview = await c.post(`${page()}/holding`, fields);
    expect(preview.statusCode).toBe(200);
    const letter = /id="letter-body">([^<]*)</.exec(main(preview.body))?.[1] ?? "";
    expect(letter).toContain("Nous vous répondrons au plus tard le 18 décembre 2026.");
    expect(letter).toContain("Nous attendons la place libérée par un départ.");
    expect(main(preview.body)).toContain(`href="${page()}/letters/holding?message=`);
    expect((await c.api("GET", `/api/v1/organisations/${site}/requests/${requestId}`)).json().announcedOn).toBeNull();
    expect((await c.post(`${page()}/holding`, { ...fields, step: "send" })).statusCode).toBe(303);
    const held = main((await c.get(page())).body);
    expect(held).toMatch(/Réponse d'attente à camille@example\.org — <span[^>]*data-mail-status="queued"/);
    await runDueJobs(t.database.db);
    await smtp.waitFor((m) => m.to.includes("camille@example.org") && m.subject.includes("nouvelle date"));
  });

  it("shows the answer before it leaves, then keeps its text on the request", async () => {
    const r = (await c.api("GET", `/api/v1/organisations/${site}/requests/${requestId}`)).json();
    const fields = {
      status: "answered",
      message: "Votre enfant est inscrit à partir du 4 janvier.",
      note: "Vu avec l'école",
      version: String(r.version),
    };
    const preview = await c.post(`${page()}/status`, fields);
    expect(preview.statusCode, preview.body.slice(0, 300)).toBe(200);
    const letter = /id="letter-body">([^<]*)</.exec(main(preview.body))?.[1] ?? "";
    expect(letter).toContain("Votre enfant est inscrit à partir du 4 janvier.");
    expect(letter).toContain("En réponse à votre demande « Inscription à la cantine » reçue le 1er décembre 2026 :");
    // The internal note travels with the form, never in the letter.
    expect(letter).not.toContain("Vu avec l'école");
    expect((await c.api("GET", `/api/v1/organisations/${site}/requests/${requestId}`)).json().status).toBe("acknowledged");

    const sent = await c.post(`${page()}/status`, { ...fields, step: "send" });
    expect(sent.statusCode).toBe(303);
    const answered = main((await c.get(page())).body);
    expect(answered).toContain("Réponse : courriel en file");
    const answer = answered.slice(answered.indexOf('id="answer"'));
    expect(answer).toContain("Votre enfant est inscrit à partir du 4 janvier.");
    await runDueJobs(t.database.db);
    await smtp.waitFor((m) => m.to.includes("camille@example.org") && m.text.includes("Votre enfant est inscrit"));
    expect(main((await c.get(page())).body)).toContain("Réponse envoyée");
  });

  it("tells the public the acknowledgement « vous sera envoyé » while it is queued", async () => {
    const filed = await c.post(`/public/organisations/${site}/complaint`, {
      kind: "complaint",
      subject: "Trottoir",
      body: "Le trottoir est abîmé.",
      requesterName: "Jean Dupont",
      requesterEmail: "jean@example.org",
    });
    expect(filed.statusCode).toBe(303);
    const receipt = main((await c.get(filed.headers.location ?? "")).body);
    expect(receipt).toContain("Un accusé de réception vous sera envoyé à jean@example.org.");
    await runDueJobs(t.database.db);
    await smtp.waitFor((m) => m.to.includes("jean@example.org"));
    expect(main((await c.get(filed.headers.location ?? "")).body)).toContain(
      "Un accusé de réception vous a été envoyé à jean@example.org.",
    );
  });
});
