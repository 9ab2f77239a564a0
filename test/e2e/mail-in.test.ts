import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/app/modules.ts";
import { runDueJobs } from "../../src/modules/jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "../../src/modules/mail/mail.service.ts";
import { dovecotBinary, type ImapServer, rawMessage, startImapServer } from "../support/imap.ts";
import { type SmtpListener, startSmtpListener } from "../support/smtp.ts";
import { browserAvailable, createSiteThroughPages, type LiveServer, launchBrowser, startLiveServer } from "./support/browser.ts";

const plain = (text: string | null) => (text ?? "").replace(/[\u00a0\u202f]/g, " ");
const USER = "accueil";
const IMAP_PASSWORD = "boite-de-la-mairie";

/**
 * A town hall's correspondent, from a blank install: connects the service's mailbox (a real Dovecot),
 * tests it, saves it; a member of the public writes, the request appears with its day and sender, the
 * acknowledgement reaches the SMTP listener, the reply joins the request, an out-of-office and a
 * bounce are set aside and shown as such.
 */
describe.skipIf(!browserAvailable || !dovecotBinary())("e-mails in: a mailbox collected, in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  let smtp: SmtpListener;
  let imap: ImapServer;
  let site = "";
  let requestUrl = "";
  let number = "";
  const PASSWORD = "une phrase de passe solide";
  const main = async () => plain(await page.locator("main").textContent());
  /** The worker every app server runs, twice: the collection, then the e-mails it queued. */
  const workerPass = async () => {
    await runDueJobs(server.database.db);
    await runDueJobs(server.database.db);
  };

  beforeAll(async () => {
    smtp = await startSmtpListener();
    imap = await startImapServer();
    imap.addUser(USER, IMAP_PASSWORD);
    useMailTransport(createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: "Mairie <ne-pas-repondre@mairie.example>" }));
    server = await startLiveServer();
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
  }, 180_000);
  afterAll(async () => {
    useMailTransport(createMailTransport({}));
    await browser?.close();
    await server?.close();
    await smtp?.close();
    await imap?.stop();
  });

  it("creates the administrator, a site with Marianne 2016, and connects the mailbox after testing it", async () => {
    await page.goto(server.url);
    await page.fill("#displayName", "Claire Fontaine");
    await page.fill("#email", "claire@mairie.example");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    site = await createSiteThroughPages(page, server.url, "Mairie de Dole");
    await page.goto(`${server.url}/organisations/${site}/commitments`);
    await page.selectOption("#frameworkId", "marianne-2016");
    await page.getByRole("button", { name: "Enregistrer le référentiel" }).click();
    await page.waitForURL(/framework\.adopted/);

    await page.goto(`${server.url}/organisations/${site}`);
    await page.getByRole("link", { name: "Boîtes aux lettres" }).click();
    expect(await main()).toContain("Aucune boîte aux lettres n'est encore relevée.");
    await page.fill("#label", "Accueil");
    await page.fill("#host", imap.host);
    await page.fill("#port", String(imap.port));
    await page.selectOption("#security", "none");
    await page.fill("#username", USER);
    await page.fill("#secret", "pas le bon");
    await page.getByRole("button", { name: "Tester la connexion" }).click();
    expect(await main()).toContain("Identifiant ou mot de passe refusé par le serveur");
    expect(await page.inputValue("#secret")).toBe("");
    await page.fill("#secret", IMAP_PASSWORD);
    await page.getByRole("button", { name: "Tester la connexion" }).click();
    expect(await main()).toContain("Connexion réussie : le dossier s'ouvre.");
    await page.fill("#secret", IMAP_PASSWORD);
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/ok=mailbox\.saved/);
    const shown = await main();
    expect(shown).toContain(`${USER} sur ${imap.host}:${imap.port}`);
    expect(shown).toContain("Dernière relève : pas encore faite");
    expect(await page.content()).not.toContain(IMAP_PASSWORD);
    await page.screenshot({ path: "docs/screenshots/mail-in-boite.png", fullPage: true });
  });

  it("turns a member of the public's e-mail into a request of the day it arrived, and acknowledges it", async () => {
    // 23:30 UTC on 1 December is 00:30 on 2 December in Dole.
    await imap.deliver(
      USER,
      IMAP_PASSWORD,
      rawMessage({
        from: "Camille Roux <camille.roux@usager.example>",
        subject: "Inscription à la cantine",
        body: "Bonjour, je souhaite inscrire ma fille à la cantine.",
        messageId: "<cantine@usager.example>",
      }),
      new Date("2026-12-01T23:30:00Z"),
    );
    await workerPass();
    await page.goto(`${server.url}/organisations/${site}/requests`);
    const row = page.locator("tr", { hasText: "Inscription à la cantine" });
    expect(plain(await row.textContent())).toContain("02/12/2026");
    await row.getByRole("link").first().click();
    requestUrl = page.url();
    const detail = await main();
    expect(detail).toContain("Camille Roux — camille.roux@usager.example");
    expect(detail).toContain("2 décembre 2026");
    expect(detail).toContain("je souhaite inscrire ma fille à la cantine");
    const ack = await smtp.waitFor((m) => m.envelopeTo.includes("camille.roux@usager.example"), 10_000);
    number = /\d{4}-\d{6}/.exec(ack.subject)?.[0] ?? "";
    expect(number).not.toBe("");
    expect(ack.subject).toContain("accusé de réception");
    await page.screenshot({ path: "docs/screenshots/mail-in-demande.png", fullPage: true });
  });

  it("joins the reply to the same request, and sets aside an out-of-office and a bounce", async () => {
    await imap.deliver(
      USER,
      IMAP_PASSWORD,
      rawMessage({
        from: "camille.roux@usager.example",
        subject: `Re: Mairie de Dole — accusé de réception n° ${number}`,
        body: "J'ajoute : elle mange sans porc.",
      }),
    );
    await imap.deliver(
      USER,
      IMAP_PASSWORD,
      rawMessage({
        from: "agent.absent@usager.example",
        subject: "Réponse automatique : absent jusqu'au 5",
        headers: { "Auto-Submitted": "auto-replied" },
      }),
    );
    await imap.deliver(
      USER,
      IMAP_PASSWORD,
      rawMessage({ from: "MAILER-DAEMON@mx.usager.example", subject: "Undelivered Mail Returned to Sender", body: "Adresse inconnue." }),
    );
    // The chain's next run is a minute away: the correspondent asks for one now.
    await page.goto(`${server.url}/organisations/${site}/mailboxes`);
    await page.getByRole("button", { name: "Relever maintenant" }).click();
    await page.waitForURL(/ok=mailbox\.collecting/);
    await workerPass();
    await page.goto(`${server.url}/organisations/${site}/requests`);
    expect(await page.locator("tr", { hasText: "cantine" }).count()).toBe(1);
    const list = await main();
    expect(list).not.toContain("Réponse automatique");
    expect(list).not.toContain("Undelivered");
    await page.goto(requestUrl);
    const history = plain(await page.locator("#history").textContent());
    expect(history).toContain("Message reçu de l'usager");
    expect(history).toContain("elle mange sans porc");

    await page.goto(`${server.url}/organisations/${site}/mailboxes`);
    const box = await main();
    expect(box).toContain("1 demande enregistrée");
    expect(box).toContain("1 réponse d'usager jointe à sa demande");
    expect(box).toContain("2 messages ignorés");
    const ignored = plain(await page.locator("table").textContent());
    expect(ignored).toContain("réponse automatique");
    expect(ignored).toContain("avis de non-remise");
    expect(ignored).toContain("Réponse automatique : absent jusqu'au 5");
    await page.screenshot({ path: "docs/screenshots/mail-in-ignores.png", fullPage: true });
  });
});
