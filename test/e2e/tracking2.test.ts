import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeLog, browserAvailable, createSiteThroughPages, type LiveServer, launchBrowser, startLiveServer } from "./support/browser.ts";

/**
 * The public follows a request from a phone, from a blank install: the first administrator is made on
 * the set-up page, a site is created and adopts Marianne 2008, a member of the public files a complaint
 * and notes the number and code from the confirmation, then, in a fresh browser (as on another day),
 * types them on /track and sees the organisation, the due date and the steps. A wrong code is told in
 * French. Any page error fails; axe checks every page.
 */
describe.skipIf(!browserAvailable)("tracking a request from its number and code, at 390 px", () => {
  let server: LiveServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const { violations, audit } = axeLog();
  const pageErrors: string[] = [];
  const PASSWORD = "une phrase de passe solide";
  const PHONE = { locale: "fr-FR", viewport: { width: 390, height: 844 } };

  async function newPage(options: Record<string, unknown> = {}, errors = pageErrors): Promise<Page> {
    const context = await browser.newContext({ ...PHONE, ...options });
    contexts.push(context);
    const p = await context.newPage();
    p.on("pageerror", (error) => errors.push(`${p.url()} : ${error.message}`));
    return p;
  }

  beforeAll(async () => {
    server = await startLiveServer({ BASE_URL: "https://vigie.mairie-colmar.example" });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  let site = "";
  it("creates the first administrator, a site, and adopts Marianne 2008 through the pages", async () => {
    const page = await newPage();
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await audit(page);
    await page.fill('[name="displayName"]', "Alice Martin");
    await page.fill('[name="email"]', "alice@mairie-colmar.fr");
    await page.fill('[name="password"]', PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    site = await createSiteThroughPages(page, server.url, "Mairie de Colmar", "alsace-moselle");
    expect(site).toMatch(/^[0-9a-f-]{36}$/);
    await page.goto(`${server.url}/organisations/${site}/commitments`);
    await page.selectOption("#frameworkId", "marianne-2008");
    await page.getByRole("button", { name: "Enregistrer le référentiel" }).click();
    await page.waitForURL(/framework\.adopted/);
  });

  let number = "";
  let code = "";
  it("files a complaint on the public form and shows the number and the code to note", async () => {
    const p = await newPage();
    await p.goto(`${server.url}/public/organisations/${site}/complaint`);
    await audit(p);
    await p.locator('label[for="kind-complaint"]').click();
    await p.fill("#subject", "Attente au guichet");
    await p.fill("#body", "Une heure d'attente pour une carte d'identité.");
    await p.fill("#requesterName", "Jeanne Weber");
    await p.fill("#requesterAddress", "4 rue des Clefs, 68000 Colmar");
    await p.getByRole("button", { name: "Envoyer" }).click();
    await p.waitForURL(/complaint\/received/);
    await audit(p);
    const main = (await p.locator("main").textContent()) ?? "";
    number = /Numéro de dossier : (\d{4}-\d{6})/.exec(main)?.[1] ?? "";
    code = /Code de suivi : ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(main)?.[1] ?? "";
    expect(number).not.toBe("");
    expect(code).not.toBe("");
    expect(main).toContain("Notez-les pour suivre votre demande");
    await p.screenshot({ path: "docs/screenshots/suivi-confirmation.png", fullPage: true });
  });

  it("finds the request on /track in a fresh browser from the number and the code typed by hand", async () => {
    const p = await newPage();
    await p.goto(`${server.url}/track`);
    await audit(p);
    await expect(p.locator("h1").textContent()).resolves.toBe("Suivre une demande");
    await p.screenshot({ path: "docs/screenshots/suivi-formulaire.png", fullPage: true });
    // A wrong code first: told in French, without saying which of the two is wrong.
    await p.fill("#number", number);
    await p.fill("#code", code === "ABCD-EFGH" ? "ABCD-EFGJ" : "ABCD-EFGH");
    await p.getByRole("button", { name: "Voir l'avancement" }).click();
    await expect(p.locator("main").textContent()).resolves.toContain("Numéro ou code incorrect");
    await expect(p.locator("#number").inputValue()).resolves.toBe(number);
    await audit(p);
    await p.screenshot({ path: "docs/screenshots/suivi-erreur.png", fullPage: true });
    // Then the right one, typed in lower case without the dash.
    await p.fill("#code", code.toLowerCase().replace("-", ""));
    await p.getByRole("button", { name: "Voir l'avancement" }).click();
    await expect(p.locator("h1").textContent()).resolves.toBe(`Réclamation n° ${number}`);
    const main = (await p.locator("main").textContent()) ?? "";
    expect(main).toContain("Mairie de Colmar");
    expect(main).toContain("Internet");
    expect(main).toMatch(/Réponse attendue au plus tard le \d{1,2}(er)?\s\S+ \d{4}/);
    expect(main).toMatch(/Délai de réponse annoncé\s*\d+\sjours ouvrés/);
    await expect(p.locator(".vigie-timeline li").allTextContents()).resolves.toEqual([expect.stringContaining("Demande reçue")]);
    expect(main).not.toContain("Une heure d'attente");
    expect(main).not.toContain("Jeanne Weber");
    await audit(p);
    await p.screenshot({ path: "docs/screenshots/suivi-dossier.png", fullPage: true });
  });

  it("opens the form with the number filled in, as the QR code of the letter does", async () => {
    const p = await newPage({ javaScriptEnabled: false });
    await p.goto(`${server.url}/track?number=${number}`);
    await expect(p.locator("#number").inputValue()).resolves.toBe(number);
    await p.fill("#code", code);
    await p.getByRole("button", { name: "Voir l'avancement" }).click();
    await expect(p.locator("main").textContent()).resolves.toContain("Mairie de Colmar");
  });

  it("meets no page error and no accessibility violation", () => {
    expect(pageErrors).toEqual([]);
    expect(violations).toEqual({});
  });
});
