import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeLog, browserAvailable, createSiteThroughPages, type LiveServer, launchBrowser, startLiveServer } from "./support/browser.ts";

/**
 * The first use, replayed from a blank install: a town hall's correspondent announces its
 * reply delays channel by channel, every one of them sets a due date, and the public form states them.
 */
describe.skipIf(!browserAvailable)("announced delays in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  let site = "";
  const errors: string[] = [];
  const { violations, audit } = axeLog();
  const PASSWORD = "une phrase de passe solide";

  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    page.on("pageerror", (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("creates the administrator on the first-run page, then a site, and adopts Services Publics+", async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Claire Martin");
    await page.fill("#email", "claire@mairie.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    site = await createSiteThroughPages(page, server.url, "Mairie de Bourg");
    await page.goto(`${server.url}/organisations/${site}/commitments`);
    await page.selectOption("#frameworkId", "sp+2021");
    await page.getByRole("button", { name: "Enregistrer le référentiel" }).click();
    await page.waitForURL(/framework\.adopted/);
    await audit(page);
    // From the organisation page, as a correspondent finds it.
    await page.goto(`${server.url}/organisations/${site}`);
    await page.locator(`a[href="/organisations/${site}/delays"]`).first().click();
    await page.waitForURL(/\/delays$/);
    await audit(page);
    // Services Publics+ leaves each service to announce its own: all 15 cells are flagged.
    await expect(page.locator(".fr-alert--warning", { hasText: "sans délai annoncé" }).textContent()).resolves.toMatch(
      /15\s?cases sans délai annoncé/,
    );
    await expect(page.locator("main").textContent()).resolves.toContain("Aucun délai annoncé");
  });

  it("sets letters to 15 working days, e-mails and web to 5, saves and sees them", async () => {
    for (const [channel, value] of [
      ["letter", "15"],
      ["email", "5"],
      ["web", "5"],
    ] as const) {
      await page.fill(`#value-${channel}-request`, value);
      await page.selectOption(`#unit-${channel}-request`, "working_days");
    }
    await page.getByRole("button", { name: "Enregistrer les délais" }).click();
    await page.waitForURL(/delays\.saved/);
    await audit(page);
    const main = (await page.locator("main").textContent()) ?? "";
    expect(main).toContain("Les délais annoncés ont été enregistrés");
    const table = (await page.locator("main table").first().textContent()) ?? "";
    expect(table).toMatch(/15\s?jours ouvrés/);
    expect(table).toMatch(/5\s?jours ouvrés/);
    await expect(page.locator(".fr-alert--warning", { hasText: "sans délai annoncé" }).textContent()).resolves.toMatch(
      /12\s?cases sans délai annoncé/,
    );
    await expect(page.inputValue("#value-email-request")).resolves.toBe("5");
    await expect(page.inputValue("#value-web-request")).resolves.toBe("5");
    await expect(page.inputValue("#value-letter-request")).resolves.toBe("15");
    await page.screenshot({ path: "docs/screenshots/delays-table.png", fullPage: true });
    const phone = await (await browser.newContext({ locale: "fr-FR", viewport: { width: 390, height: 844 } })).newPage();
    phone.on("pageerror", (e) => errors.push(e.message));
    await page
      .context()
      .cookies()
      .then((c) => phone.context().addCookies(c));
    await phone.goto(`${server.url}/organisations/${site}/delays`);
    await audit(phone);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.locator("main table").first().scrollIntoViewIfNeeded();
    await phone.screenshot({ path: "docs/screenshots/delays-table-390.png" });
    await phone.close();
  });

  it("registers a letter and an e-mail through the staff form, each with its due date", async () => {
    for (const [channel, due] of [
      ["letter", /23\/04\/2026|23\savril\s2026/],
      ["email", /09\/04\/2026|\b9\savril\s2026/],
    ] as const) {
      await page.goto(`${server.url}/organisations/${site}/requests/new`);
      await page.fill("#subject", `Demande reçue par ${channel}`);
      await page.locator(`label[for="channel-${channel}"]`).click();
      await page.fill("#receivedOn", "2026-04-01");
      await page
        .getByRole("button", { name: /Enregistrer/ })
        .first()
        .click();
      await page.waitForURL(/ok=request\.created/);
      await audit(page);
      const main = (await page.locator("main").textContent()) ?? "";
      expect(main, main.slice(0, 600)).toMatch(due);
      expect(main).not.toContain("Aucun délai annoncé");
    }
  });

  it("the public form of the site states « 5 jours ouvrés » and the organisation's name", async () => {
    const phone = await (
      await browser.newContext({ javaScriptEnabled: false, locale: "fr-FR", viewport: { width: 390, height: 844 } })
    ).newPage();
    await phone.goto(`${server.url}/public/organisations/${site}/complaint`);
    const main = (await phone.locator("main").textContent()) ?? "";
    expect(main).toContain("Mairie de Bourg");
    expect(main).toMatch(/Demande\u00a0: réponse sous 5\s?jours ouvrés/);
    expect(main).toContain("Une demande");
    await phone.screenshot({ path: "docs/screenshots/delays-public-form-390.png", fullPage: true });
    await phone.close();
    await page.goto(`${server.url}/public/organisations/${site}/complaint`);
    await audit(page);
  });

  it("met no JavaScript error and no accessibility violation", () => {
    expect(violations).toEqual({});
    expect([...new Set(errors)]).toEqual([]);
  });
});
