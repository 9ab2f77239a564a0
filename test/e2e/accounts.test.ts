import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/app/modules.ts";
import { startWorker, type Worker } from "../../src/modules/jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "../../src/modules/mail/mail.service.ts";
import { type SmtpListener, startSmtpListener } from "../support/smtp.ts";
import { type AxeViolation, axeViolations, browserAvailable, type LiveServer, launchBrowser, startLiveServer } from "./support/browser.ts";

/**
 * From a blank install: the first-run page refuses a weak password and says why, then the
 * administrator forgets the password and resets it by e-mail, received at a real SMTP listener.
 */
describe.skipIf(!browserAvailable)("accounts: password policy and reset by e-mail, in Chromium", () => {
  let server: LiveServer;
  let smtp: SmtpListener;
  let worker: Worker;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const violations: Record<string, AxeViolation[]> = {};
  const STRONG = "un héron sur la Loire au matin";
  const NEW = "trois lanternes pour la halle";

  async function audit(p: Page, name: string) {
    const found = await axeViolations(p);
    if (found.length) violations[new URL(p.url()).pathname] = found;
    await p.screenshot({ path: `docs/screenshots/accounts-${name}.png`, fullPage: true });
  }

  beforeAll(async () => {
    smtp = await startSmtpListener();
    const env = { SMTP_URL: smtp.url, MAIL_FROM: "Vigie <vigie@mairie.example>" };
    server = await startLiveServer(env);
    // What main.ts does with the same environment: the transport from SMTP_URL, a worker on the queue.
    useMailTransport(createMailTransport(env));
    worker = startWorker({ db: server.database.db, log: server.app.log, intervalMs: 200 });
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    page.on("pageerror", (e) => errors.push(`${page.url()} : ${e.stack ?? e.message}`));
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await server?.close();
    await smtp?.close();
  });

  it("refuses « aaaaaaaaaaaa » on the first-run page with the reason, then accepts a strong password", async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Hélène Garnier");
    await page.fill("#email", "helene.garnier@mairie.fr");
    await page.fill("#password", "aaaaaaaaaaaa");
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await expect(page.locator("#password-messages").textContent()).resolves.toContain(
      "Le mot de passe ne peut pas être un seul caractère répété.",
    );
    await expect(page.locator("#email").inputValue()).resolves.toBe("helene.garnier@mairie.fr");
    await audit(page, "premier-demarrage-refuse");
    await page.fill("#password", STRONG);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    await expect(page.getByText("Bienvenue").first().isVisible()).resolves.toBe(true);
  });

  it("logs out, asks for a reset link, and gets the same answer a stranger would", async () => {
    // « Se déconnecter » is in the account menu, closed until the person's name is pressed.
    await page
      .getByRole("button", { name: /menu du compte/ })
      .first()
      .click();
    await page.getByRole("button", { name: "Se déconnecter" }).first().click();
    await page.waitForURL(/\/login/);
    await page.getByRole("link", { name: "Mot de passe oublié ?" }).click();
    await page.waitForURL(/\/password\/forgot/);
    await expect(page.locator("h1").textContent()).resolves.toBe("Mot de passe oublié");
    await audit(page, "mot-de-passe-oublie");
    await page.fill("#email", "helene.garnier@mairie.fr");
    await page.getByRole("button", { name: "Recevoir un lien" }).click();
    await page.waitForURL(/\/password\/forgot\/sent/);
    await expect(page.locator("main").textContent()).resolves.toContain("Si un compte correspond à cette adresse");
    await audit(page, "lien-en-cours-d-envoi");
  });

  let link = "";
  it("receives the link at the SMTP listener", async () => {
    const mail = await smtp.waitFor((m) => m.to.includes("helene.garnier@mairie.fr"), 15_000);
    expect(mail.subject).toBe("Vigie — choisir un nouveau mot de passe");
    expect(mail.text).toContain("Bonjour Hélène Garnier");
    link = /(http:\/\/localhost:\d+\/password\/reset\?token=[A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? "";
    expect(link).not.toBe("");
  });

  it("follows the link, is refused a common password, chooses a new one and signs in with it", async () => {
    // BASE_URL is not set: the link carries the server's default address, on the same port.
    await page.goto(link.replace(/^http:\/\/localhost:\d+/, server.url));
    await expect(page.locator("h1").textContent()).resolves.toBe("Choisir un nouveau mot de passe");
    await page.fill("#password", "Motdepasse2024!");
    await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
    await expect(page.locator("#password-messages").textContent()).resolves.toContain("fait partie des plus courants");
    await audit(page, "nouveau-mot-de-passe-refuse");
    await page.fill("#password", NEW);
    await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
    await page.waitForURL(/\/login\?ok=password\.reset/);
    await expect(page.locator("main").textContent()).resolves.toContain("Votre mot de passe est changé");
    await audit(page, "connexion-apres-reinitialisation");
    await page.fill("#email", "helene.garnier@mairie.fr");
    await page.fill("#password", NEW);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(/welcome/);
    await expect(page.locator("body").textContent()).resolves.toContain("Hélène Garnier");
  });

  it("says the link is spent when it is opened again", async () => {
    await page.goto(link.replace(/^http:\/\/localhost:\d+/, server.url));
    await expect(page.locator("h1").textContent()).resolves.toBe("Lien expiré ou déjà utilisé");
    await audit(page, "lien-deja-utilise");
  });

  it("met no page error and no accessibility violation", () => {
    expect(errors).toEqual([]);
    expect(violations).toEqual({});
  });
});
