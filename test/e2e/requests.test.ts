import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
import {
  axeLog,
  browserAvailable,
  createSiteThroughPages,
  type LiveServer,
  launchBrowser,
  signIn,
  startLiveServer,
  typeInAutofocused,
} from "./support/browser.ts";

/**
 * Frameworks, levers and requests as people use them in Chromium: a referent adopts a framework,
 * an agent registers a letter with the keyboard, a member of the public files a complaint on a
 * phone without JavaScript and follows it. axe checks every page met.
 */
describe.skipIf(!browserAvailable)("requests and frameworks in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  let site = "";
  const { violations, audit } = axeLog();
  const PASSWORD = "une phrase de passe solide";

  beforeAll(async () => {
    server = await startLiveServer();
    await createInstanceAdmin(server.database.db, { email: "admin@mairie.fr", displayName: "Admin", password: PASSWORD });
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    await signIn(page, server.url, "admin@mairie.fr", PASSWORD);
    site = await createSiteThroughPages(page, server.url, "Mairie de Strasbourg", "alsace-moselle");
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("browses the frameworks and finds levers without typing accents", async () => {
    await page.goto(`${server.url}/frameworks`);
    await audit(page);
    // Two editions of Services Publics+ are listed since 2023 (issue #14): the current one, with its 8 commitments.
    await page.getByRole("link", { name: "Services Publics + (2023)", exact: true }).click();
    await audit(page);
    await expect(page.locator("h1").textContent()).resolves.toContain("Services Publics");
    await expect(page.locator("h2").first().textContent()).resolves.toBeTruthy();
    await page.goto(`${server.url}/levers`);
    await page.fill("#q", "equipe");
    await page.getByRole("button", { name: "Filtrer" }).click();
    await audit(page);
    await expect(page.locator("tbody").textContent()).resolves.toContain("équipe");
    await page.goto(`${server.url}/commitments?q=reclamations`);
    await audit(page);
    await expect(page.locator("main").textContent()).resolves.toContain("réclamations");
  });

  it("adopts Marianne 2008 for the site and adds a local commitment", async () => {
    await page.goto(`${server.url}/organisations/${site}/commitments`);
    await page.selectOption("#frameworkId", "marianne-2008");
    await page.getByRole("button", { name: "Enregistrer le référentiel" }).click();
    await page.waitForURL(/framework\.adopted/);
    await page.fill("#title", "Rendez-vous CNI et passeport sous 30 jours");
    await page.locator('label[for="channel-counter"]').click();
    await page.getByRole("button", { name: "Ajouter l'engagement local" }).click();
    await page.waitForURL(/local\.created/);
    await audit(page);
    await expect(page.locator("table").textContent()).resolves.toContain("Rendez-vous CNI et passeport sous 30 jours");
    await page.goto(`${server.url}/public/organisations/${site}/commitments`);
    await audit(page);
  });

  it("registers a letter received on 30 April 2027 with the keyboard, due 25 May", async () => {
    await page.goto(`${server.url}/organisations/${site}/requests/new`);
    await audit(page);
    // The subject has the focus; kind and channel default to a request by letter.
    await typeInAutofocused(page, "subject", "Demande d'acte de naissance");
    await page.fill("#receivedOn", "2027-04-30");
    await page.keyboard.press("Enter");
    await page.waitForURL(/ok=request\.created/);
    await audit(page);
    await expect(page.locator("main").textContent()).resolves.toMatch(/échéance le 25\s+mai 2027/);
    await page.goto(`${server.url}/organisations/${site}/requests`);
    await audit(page);
    await page.goto(`${server.url}/organisations/${site}/requests/indicators?from=2027-01-01&to=2027-12-31`);
    await audit(page);
    await page.goto(`${server.url}/organisations/${site}/letters`);
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/modeles-de-lettres.png" });
  });

  it("imports a register from a spreadsheet, listing the bad rows before anything is written", async () => {
    const csv = [
      "Date de réception;Canal;Type;Objet;Nom",
      "30/04/2027;courrier;demande;Permis de construire;Anne Leroy",
      "31/02/2027;courriel;demande;Date impossible;Paul Martin",
      "03/05/2027;pigeon;réclamation;Canal inconnu;Zoé Bernard",
    ].join("\r\n");
    await page.goto(`${server.url}/organisations/${site}/requests/import`);
    await audit(page);
    await page.setInputFiles("#file", { name: "registre.csv", mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });
    await page.getByRole("button", { name: "Lire le fichier" }).click();
    await audit(page);
    await page.getByRole("button", { name: "Vérifier le fichier" }).click();
    await audit(page);
    const report = (await page.locator("main").textContent()) ?? "";
    expect(report).toContain("Cette date n'existe pas.");
    expect(report).toContain("Lignes à corriger : 2");
    const badLines = await page.locator("table", { hasText: "Lignes à corriger" }).locator("tbody tr td:first-child").allTextContents();
    expect(badLines.map((l) => l.trim())).toEqual(["3", "4"]);
    // With bad rows, the import button is not offered at all.
    await expect(page.getByRole("button", { name: /^Importer/ }).count()).resolves.toBe(0);
  });

  it("lets the public file a complaint on a phone without JavaScript, then follow it", async () => {
    const phone = await browser.newContext({ javaScriptEnabled: false, locale: "fr-FR", viewport: { width: 375, height: 740 } });
    const p = await phone.newPage();
    // axe needs a script to run: each page reached without JavaScript is checked again in a phone that has it.
    const checker = await (await browser.newContext({ locale: "fr-FR", viewport: { width: 375, height: 740 } })).newPage();
    const auditUrl = async (url: string) => {
      await checker.goto(url);
      await audit(checker);
    };
    await p.goto(`${server.url}/public/organisations/${site}/complaint`);
    await auditUrl(p.url());
    await p.locator('label[for="kind-complaint"]').click();
    await p.fill("#subject", "Attente au guichet");
    await p.fill("#body", "Deux heures d'attente mardi matin.");
    await p.fill("#requesterName", "Jean Dupont");
    await p.getByRole("button", { name: "Envoyer" }).click();
    // No address: the form says so and keeps what was typed.
    await expect(p.locator("#subject").inputValue()).resolves.toBe("Attente au guichet");
    await expect(p.locator("#requesterEmail-error").textContent()).resolves.toContain("Indiquez une adresse électronique");
    await p.fill("#requesterEmail", "jean@example.org");
    await p.getByRole("button", { name: "Envoyer" }).click();
    await p.waitForURL(/complaint\/received/);
    await auditUrl(p.url());
    await p.screenshot({ path: "docs/screenshots/reclamation-recue.png", fullPage: true });
    await p.getByRole("link", { name: "Suivre l'avancement de votre dossier" }).click();
    await auditUrl(p.url());
    // No worker runs here: the acknowledgement is queued, and the page says so rather than « envoyé ».
    await expect(p.locator("main").textContent()).resolves.toContain("Réception accusée");
    await expect(p.locator("#mails").textContent()).resolves.toMatch(/Accusé de réception : en file/);
    await phone.close();
  });

  it("finds no accessibility violation on any page visited", () => {
    expect(violations).toEqual({});
  });
});
