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

/** The words on the page; its no-break spaces are checked by the typography test. */
const plain = (text: string | null) => (text ?? "").replace(/[\u00a0\u202f]/g, " ");

/**
 * The town hall's quality correspondent, from a blank install to the delay figures, in one path
 * (issue #12): creates the first account, the town hall, announces delays for letters, e-mails and
 * the web; registers a letter and an e-mail; sends the acknowledgement with no SMTP server and sees
 * « en file » then the failure, never « envoyé »; restarts with SMTP and sees « envoyé » once a real
 * listener has it; answers and closes both; and finds both in the delay figures, in time.
 */
describe.skipIf(!browserAvailable)("the correspondent's first week, from a blank install", () => {
  let server: LiveServer;
  let restarted: App | undefined;
  let base = "";
  let browser: Browser;
  let page: Page;
  let smtp: SmtpListener;
  let site = "";
  let letterUrl = "";
  let emailUrl = "";
  const { violations, audit } = axeLog();
  const PASSWORD = "Mairie de Lunéville, accueil 2026";

  const main = async () => plain(await page.locator("main").textContent());
  const workerPass = (app: { db: LiveServer["database"]["db"] }) => runDueJobs(app.db);

  beforeAll(async () => {
    smtp = await startSmtpListener();
    // A blank install: no SMTP_URL, as main.ts reads it from the environment.
    useMailTransport(createMailTransport({}));
    server = await startLiveServer();
    base = server.url;
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
  });
  afterAll(async () => {
    useMailTransport(createMailTransport({}));
    await browser?.close();
    await restarted?.close();
    await server?.close();
    await smtp?.close();
  });

  it("creates the first account and the town hall", async () => {
    await page.goto(base);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await audit(page);
    await page.fill("#displayName", "Nadia Benali");
    await page.fill("#email", "qualite@mairie-luneville.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    site = await createSiteThroughPages(page, base, "Mairie de Lunéville");
    await page.goto(`${base}/organisations/${site}/commitments`);
    await page.selectOption("#frameworkId", "sp+2021");
    await page.getByRole("button", { name: "Enregistrer le référentiel" }).click();
    await page.waitForURL(/framework\.adopted/);
  });

  it("announces delays for letters, e-mails and the web, and sees them all in force", async () => {
    await page.goto(`${base}/organisations/${site}`);
    await page.getByRole("link", { name: "Délais annoncés" }).click();
    await audit(page);
    expect(await main()).toContain("15 cases sans délai annoncé");
    await page.fill("#value-letter-request", "15");
    await page.fill("#value-email-request", "5");
    await page.fill("#value-web-request", "5");
    await page.getByRole("button", { name: "Enregistrer les délais" }).click();
    await page.waitForURL(/ok=delays\.saved/);
    await audit(page);
    const saved = await main();
    expect(saved).toContain("Les délais annoncés ont été enregistrés");
    expect(saved).toContain("12 cases sans délai annoncé");
    const table = plain(await page.locator("table").first().textContent());
    expect(table).toMatch(/Courrier\s*15 jours ouvrés/);
    expect(table).toMatch(/Courriel\s*5 jours ouvrés/);
    expect(table).toMatch(/Internet\s*5 jours ouvrés/);
    await page.screenshot({ path: "docs/screenshots/parcours-correspondant-delais.png", fullPage: true });
  });

  async function register(subject: string, channel: string, email?: string): Promise<string> {
    await page.goto(`${base}/organisations/${site}/requests/new`);
    await typeInAutofocused(page, "subject", subject);
    await page.locator(`label[for="channel-${channel}"]`).click();
    await page.fill("#receivedOn", "2026-12-01");
    await page.fill("#requesterName", "Camille Roux");
    if (email) await page.fill("#requesterEmail", email);
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/ok=request\.created/);
    await audit(page);
    return page.url().split("?")[0] ?? "";
  }

  it("registers a letter and an e-mail, each with the due date of its channel", async () => {
    letterUrl = await register("Demande de permis de stationnement", "letter");
    const letter = await main();
    expect(letter).toContain("15 jours ouvrés");
    expect(letter).toContain("échéance le 22 décembre 2026");
    emailUrl = await register("Inscription à la cantine", "email", "camille.roux@example.org");
    const email = await main();
    expect(email).toContain("5 jours ouvrés");
    expect(email).toContain("échéance le 8 décembre 2026");
  });

  it("sends the acknowledgement with no SMTP server: « en file », then the failure and its reason, never « envoyé »", async () => {
    await page.goto(emailUrl);
    await page.getByRole("link", { name: "Préparer l'accusé de réception" }).click();
    await audit(page);
    expect(plain(await page.locator("#letter-body").textContent())).toContain("au plus tard le 8 décembre 2026");
    await page.getByRole("button", { name: "Envoyer", exact: true }).click();
    await page.waitForURL(/ok=letter\.sent/);
    expect(plain(await page.locator("#status-badge").textContent())).toBe("Accusé de réception : courriel en file");
    expect(await main()).not.toMatch(/accusé de réception envoyé/i);
    expect(await workerPass(server.database)).toMatchObject({ failed: 1 });
    await page.goto(emailUrl);
    expect(plain(await page.locator("#mails").textContent())).toContain("échec : SMTP non configuré");
    expect(plain(await page.locator("#mail-banner").textContent())).toContain("aucun serveur d'envoi (SMTP_URL) n'est configuré");
    await page.screenshot({ path: "docs/screenshots/parcours-correspondant-echec.png", fullPage: true });
  });

  it("with SMTP configured, « Renvoyer » gives « envoyé » once the listener has the message", async () => {
    await server.app.close();
    const env = { SMTP_URL: smtp.url, MAIL_FROM: "Mairie de Lunéville <accueil@mairie-luneville.fr>" };
    useMailTransport(createMailTransport(env));
    restarted = await buildServer({ db: server.database.db, config: loadConfig({ DATA_DIR: "/nonexistent", ...env }) });
    await restarted.listen({ host: "127.0.0.1", port: 0 });
    base = `http://localhost:${(restarted.server.address() as AddressInfo).port}`;
    letterUrl = `${base}${new URL(letterUrl).pathname}`;
    emailUrl = `${base}${new URL(emailUrl).pathname}`;
    await page.goto(emailUrl);
    await page.getByRole("button", { name: "Renvoyer" }).click();
    await page.waitForURL(/ok=mail\.retried/);
    expect(smtp.messages).toEqual([]);
    await workerPass(server.database);
    const received = await smtp.waitFor((m) => m.to.includes("camille.roux@example.org"));
    expect(plain(received.text)).toContain("au plus tard le 8 décembre 2026");
    await page.goto(emailUrl);
    await audit(page);
    expect(plain(await page.locator("#status-badge").textContent())).toBe("Accusé de réception envoyé");
    await expect(page.locator("#mail-banner").count()).resolves.toBe(0);
  });

  async function setStatus(url: string, status: string, message?: string) {
    await page.goto(url);
    await page.selectOption("#status", status);
    if (message) await page.fill("#message", message);
    await page.getByRole("button", { name: "Enregistrer le statut" }).click();
    // An answer by e-mail is shown first, to be read before it leaves.
    const send = page.getByRole("button", { name: "Envoyer", exact: true });
    if (new URL(page.url()).pathname.endsWith("/status") && (await send.count()) > 0) await send.click();
    await page.waitForURL(/ok=request\./);
    await audit(page);
  }

  it("answers and closes both requests", async () => {
    await setStatus(emailUrl, "answered", "Votre enfant est inscrit à la cantine à partir du lundi 4 janvier.");
    await workerPass(server.database);
    await smtp.waitFor((m) => m.text.includes("Votre enfant est inscrit"));
    await setStatus(letterUrl, "answered", "Votre permis est à retirer à l'accueil de la mairie.");
    await setStatus(emailUrl, "closed");
    await setStatus(letterUrl, "closed");
    expect(plain(await page.locator("#status-badge").textContent())).toContain("Clôturée");
  });

  it("finds both requests in the delay figures, answered in time", async () => {
    await page.goto(`${base}/organisations/${site}/requests/indicators?from=2026-12-01&to=2026-12-31`);
    await audit(page);
    const figures = await main();
    expect(figures).toContain("100 %");
    expect(figures).toContain("dans le délai annoncé, sur 2 réponses à des demandes qui en avaient un");
    const byChannel = plain(await page.locator("table", { hasText: "Par canal" }).textContent());
    expect(byChannel).toMatch(/Courrier\s*1\s*1\s*100 %/);
    expect(byChannel).toMatch(/Courriel\s*1\s*1\s*100 %/);
    await page.screenshot({ path: "docs/screenshots/parcours-correspondant-indicateurs.png", fullPage: true });
  });

  it("met no accessibility violation on the way", () => {
    expect(violations).toEqual({});
  });
});
