import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/app/modules.ts";
import { buildServer } from "../../src/app/server.ts";
import { loadConfig } from "../../src/kernel/config.ts";
import type { App } from "../../src/kernel/context.ts";
import { runDueJobs } from "../../src/modules/jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "../../src/modules/mail/mail.service.ts";
import { type SmtpListener, startSmtpListener } from "../support/smtp.ts";
import {
  axeLog,
  browserAvailable,
  createSiteThroughPages,
  type LiveServer,
  launchBrowser,
  startLiveServer,
  typeInAutofocused,
} from "./support/browser.ts";

/** Pages use French no-break spaces: compared here as plain spaces. */
const plain = (text: string | null) => (text ?? "").replace(/[\u00a0\u202f]/g, " ");
const BANNER_OFF = "Les courriels ne partent pas : aucun serveur d'envoi (SMTP_URL) n'est configuré.";

/**
 * A town hall's correspondent from a blank install: sends an acknowledgement with no SMTP server set
 * and sees « en file », then « échec : SMTP non configuré » and the banner; restarts Vigie with
 * SMTP_URL pointing at a real listener, presses « Renvoyer » and sees « envoyé » once the listener has
 * the message; answers, reading the answer before it leaves, and finds its text on the request.
 */
describe.skipIf(!browserAvailable)("e-mails that tell the truth, in Chromium", () => {
  let server: LiveServer;
  let restarted: App | undefined;
  let base = "";
  let browser: Browser;
  let page: Page;
  let smtp: SmtpListener;
  let site = "";
  let requestUrl = "";
  const { violations, audit } = axeLog();
  const pageErrors: string[] = [];
  const PASSWORD = "une phrase de passe solide";

  const main = async () => plain(await page.locator("main").textContent());
  /** One pass of the worker every app server runs: sends what is due. */
  const workerPass = () => runDueJobs(server.database.db);

  beforeAll(async () => {
    smtp = await startSmtpListener();
    // A blank install with no SMTP_URL, as main.ts sets it from the environment.
    useMailTransport(createMailTransport({}));
    server = await startLiveServer();
    base = server.url;
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    page.on("pageerror", (error) => pageErrors.push(`${page.url()} : ${error.message}`));
  });
  afterAll(async () => {
    useMailTransport(createMailTransport({}));
    await browser?.close();
    await restarted?.close();
    await server?.close();
    await smtp?.close();
  });

  it("creates the administrator on the first-run page, a site, and adopts Marianne 2008 (e-mails: 5 working days)", async () => {
    await page.goto(base);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Claire Fontaine");
    await page.fill("#email", "claire@mairie-dole.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    // No SMTP server: every staff page says so, first thing.
    expect(plain(await page.locator("#mail-banner").textContent())).toContain(BANNER_OFF);
    site = await createSiteThroughPages(page, base, "Mairie de Dole");
    await page.goto(`${base}/organisations/${site}/commitments`);
    await page.selectOption("#frameworkId", "marianne-2008");
    await page.getByRole("button", { name: "Enregistrer le référentiel" }).click();
    await page.waitForURL(/framework\.adopted/);
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/mail-banniere-smtp.png", fullPage: true });
  });

  it("registers an e-mail request, previews the acknowledgement and sends it: « en file », never « envoyé »", async () => {
    await page.goto(`${base}/organisations/${site}/requests/new`);
    await typeInAutofocused(page, "subject", "Inscription à la cantine");
    await page.locator('label[for="channel-email"]').click();
    await page.fill("#receivedOn", "2026-12-01");
    await page.fill("#requesterName", "Camille Roux");
    await page.fill("#requesterEmail", "camille.roux@example.org");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/ok=request\.created/);
    requestUrl = page.url().split("?")[0] ?? "";
    await audit(page);
    const registered = await main();
    expect(registered).toContain("5 jours ouvrés");
    expect(registered).toContain("échéance le 8 décembre 2026");
    expect(registered).toContain("Aucun courriel pour l'instant.");

    await page.getByRole("link", { name: "Préparer l'accusé de réception" }).click();
    await audit(page);
    const letter = plain(await page.locator("#letter-body").textContent());
    expect(letter).toContain("Nous avons bien reçu le 1er décembre 2026 votre demande « Inscription à la cantine »");
    expect(letter).toContain(
      "Nous nous engageons à vous répondre dans un délai de 5 jours ouvrés, c'est-à-dire au plus tard le 8 décembre 2026.",
    );
    expect(await main()).toContain("Ce courriel partira à camille.roux@example.org");
    await page.screenshot({ path: "docs/screenshots/mail-apercu-accuse.png", fullPage: true });
    await page.getByRole("button", { name: "Envoyer" }).click();
    await page.waitForURL(/ok=letter\.sent/);
    await audit(page);
    expect(plain(await page.locator("#status-badge").textContent())).toBe("Accusé de réception : courriel en file");
    const queued = plain(await page.locator("#mails").textContent());
    expect(queued).toMatch(/Accusé de réception à camille\.roux@example\.org — en file prochain essai le \d+(er)? \S+ 2026 à \d+ h/);
    expect(await main()).not.toContain("Accusé de réception envoyé");
    await page.screenshot({ path: "docs/screenshots/mail-en-file.png", fullPage: true });
  });

  it("after the worker's pass, shows « échec : SMTP non configuré », the banner with the count, and the list", async () => {
    expect(await workerPass()).toMatchObject({ failed: 1 });
    await page.goto(requestUrl);
    await audit(page);
    expect(plain(await page.locator("#status-badge").textContent())).toBe("Accusé de réception : échec de l'envoi");
    expect(plain(await page.locator("#mails").textContent())).toContain(
      "Accusé de réception à camille.roux@example.org — échec : SMTP non configuré",
    );
    expect(plain(await page.locator("#history").textContent())).toContain("Reçue → Réception accusée");
    expect(plain(await page.locator("#history").textContent())).toContain("échec : SMTP non configuré");
    const banner = plain(await page.locator("#mail-banner").textContent());
    expect(banner).toContain(BANNER_OFF);
    expect(banner).toContain("1 courriel non envoyé.");
    await page.screenshot({ path: "docs/screenshots/mail-echec.png", fullPage: true });
    await page.locator("#mail-banner a").click();
    await page.waitForURL(/\/mail$/);
    await audit(page);
    expect(await main()).toContain("1 en échec, 0 en file.");
    expect(await main()).toContain("échec : SMTP non configuré");
    await page.screenshot({ path: "docs/screenshots/mail-courriels-non-envoyes.png", fullPage: true });
  });

  it("restarted with SMTP_URL: « Renvoyer », then « envoyé » once the listener has the message", async () => {
    // The administrator sets SMTP_URL and restarts Vigie: same database, the session cookie still valid.
    await server.app.close();
    const env = { SMTP_URL: smtp.url, MAIL_FROM: "Mairie de Dole <accueil@mairie-dole.fr>" };
    useMailTransport(createMailTransport(env));
    restarted = await buildServer({ db: server.database.db, config: loadConfig({ DATA_DIR: "/nonexistent", ...env }) });
    await restarted.listen({ host: "127.0.0.1", port: 0 });
    base = `http://localhost:${(restarted.server.address() as AddressInfo).port}`;
    requestUrl = `${base}${new URL(requestUrl).pathname}`;

    await page.goto(requestUrl);
    expect(plain(await page.locator("#mail-banner").textContent())).toContain("Les derniers envois ont échoué : 1 courriel en échec.");
    await page.getByRole("button", { name: "Renvoyer" }).click();
    await page.waitForURL(/ok=mail\.retried/);
    await audit(page);
    expect(plain(await page.locator("#mails").textContent())).toMatch(/en file prochain essai le .*\(dernier essai : SMTP non configuré\)/);
    expect(smtp.messages).toEqual([]);

    expect(await workerPass()).toMatchObject({ done: 1 });
    const received = await smtp.waitFor((m) => m.to.includes("camille.roux@example.org"));
    expect(received.subject).toMatch(/^Mairie de Dole — accusé de réception de votre demande n° \d{4}-\d{6}$/);
    expect(plain(received.text)).toContain("au plus tard le 8 décembre 2026");
    await page.goto(requestUrl);
    await audit(page);
    expect(plain(await page.locator("#status-badge").textContent())).toBe("Accusé de réception envoyé");
    expect(plain(await page.locator("#mails").textContent())).toMatch(
      /Accusé de réception à camille\.roux@example\.org — envoyé le \d+(er)? \S+ 2026 à \d+ h/,
    );
    await expect(page.locator("#mail-banner").count()).resolves.toBe(0);
    await page.screenshot({ path: "docs/screenshots/mail-envoye.png", fullPage: true });
  });

  it("answers, reading the answer before it leaves, and finds its text on the request", async () => {
    await page.selectOption("#status", "answered");
    await page.fill("#message", "Votre enfant est inscrit à la cantine à partir du lundi 4 janvier.");
    await page.fill("#note", "Vu avec l'école Pasteur");
    await page.getByRole("button", { name: "Enregistrer le statut" }).click();
    await audit(page);
    const letter = plain(await page.locator("#letter-body").textContent());
    expect(letter).toContain("En réponse à votre demande « Inscription à la cantine » reçue le 1er décembre 2026 :");
    expect(letter).toContain("Votre enfant est inscrit à la cantine à partir du lundi 4 janvier.");
    expect(letter).not.toContain("Vu avec l'école Pasteur");
    await page.screenshot({ path: "docs/screenshots/mail-apercu-reponse.png", fullPage: true });
    await page.getByRole("button", { name: "Envoyer" }).click();
    await page.waitForURL(/ok=request\.updated/);
    expect(plain(await page.locator("#answer").textContent())).toContain(
      "Votre enfant est inscrit à la cantine à partir du lundi 4 janvier.",
    );
    expect(plain(await page.locator("#status-badge").textContent())).toBe("Réponse : courriel en file");

    await workerPass();
    await smtp.waitFor((m) => m.to.includes("camille.roux@example.org") && m.text.includes("Votre enfant est inscrit"));
    await page.reload();
    await audit(page);
    expect(plain(await page.locator("#status-badge").textContent())).toBe("Réponse envoyée");
    expect(plain(await page.locator("#answer").textContent())).toMatch(/courriel envoyé le/);
    expect(plain(await page.locator("#answer").textContent())).toContain(
      "Votre enfant est inscrit à la cantine à partir du lundi 4 janvier.",
    );
    await page.screenshot({ path: "docs/screenshots/mail-reponse.png", fullPage: true });
  });

  it("acknowledges a request at the counter, where no delay is announced, without promising a date", async () => {
    await page.goto(`${base}/organisations/${site}/requests/new`);
    await typeInAutofocused(page, "subject", "Carte de stationnement résident");
    await page.locator('label[for="channel-counter"]').click();
    await page.fill("#receivedOn", "2026-12-02");
    await page.fill("#requesterEmail", "louis.perrin@example.org");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/ok=request\.created/);
    expect(await main()).toContain("Aucun délai annoncé pour ce canal");
    await page.getByRole("link", { name: "Préparer l'accusé de réception" }).click();
    const letter = plain(await page.locator("#letter-body").textContent());
    expect(letter).toContain("Votre dossier est transmis au service concerné, qui vous répondra dans les meilleurs délais.");
    expect(letter).not.toContain("au plus tard");
    expect(letter).not.toContain("dès que possible");
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/mail-sans-delai.png", fullPage: true });
  });

  it("met no accessibility violation", () => {
    expect(violations).toEqual({});
  });

  it("met no JavaScript error on any page", () => {
    expect(pageErrors).toEqual([]);
  });
});
