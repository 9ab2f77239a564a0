import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeLog, browserAvailable, type LiveServer, launchBrowser, startLiveServer } from "./support/browser.ts";

/**
 * The first journey of a new instance, in a real Chromium: set-up, an organisation tree,
 * an account per role, and a referent who tries to reach a sibling site. Every page met is
 * checked with axe; the same forms are then used with JavaScript turned off.
 */
describe.skipIf(!browserAvailable)("first journey in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  const { violations, audit } = axeLog();
  const PASSWORD = "une phrase de passe solide";

  async function fill(p: Page, fields: Record<string, string>) {
    for (const [name, value] of Object.entries(fields)) {
      const field = p.locator(`[name="${name}"]`);
      if ((await field.evaluate((el) => el.tagName)) === "SELECT") await field.selectOption(value);
      else await field.fill(value);
    }
  }

  async function createOrg(p: Page, fields: Record<string, string>): Promise<string> {
    await p.goto(`${server.url}/organisations/new`);
    await audit(p);
    await fill(p, fields);
    await p.getByRole("button", { name: "Créer l'organisation" }).click();
    await p.waitForURL(/\/organisations\/[0-9a-f-]{36}\?ok=org\.created/);
    return new URL(p.url()).pathname.split("/")[2] ?? "";
  }

  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    admin = await browser.newContext({ locale: "fr-FR" });
    page = await admin.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("creates the first administrator on the set-up page", async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await audit(page);
    await fill(page, { displayName: "Alice Martin", email: "alice@mairie.fr", password: "court" });
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await expect(page.locator("#password-error").textContent()).resolves.toContain("au moins 12 caractères");
    await audit(page);
    await fill(page, { password: PASSWORD });
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    await expect(page.getByText("Bienvenue").first().isVisible()).resolves.toBe(true);
  });

  let siteA = "";
  let siteB = "";
  it("builds a network with two sites", async () => {
    const network = await createOrg(page, { name: "Réseau de test", kind: "network" });
    siteA = await createOrg(page, {
      name: "Site A",
      kind: "site",
      parentId: network,
      addressCity: "Strasbourg",
      holidayZone: "alsace-moselle",
    });
    await audit(page);
    siteB = await createOrg(page, { name: "Site B", kind: "site", parentId: network, addressCity: "Lyon" });
    await page.goto(`${server.url}/organisations`);
    await audit(page);
    await expect(page.locator(".vigie-tree").textContent()).resolves.toMatch(/Réseau de test.*Site A.*Site B/s);
    await page.screenshot({ path: "docs/screenshots/organisations.png" });
    await page.goto(`${server.url}/organisations/${siteA}/edit`);
    await audit(page);
  });

  it("creates an account for each role and reads the audit log", async () => {
    const roles = ["admin", "correspondent", "referent", "agent", "auditor"];
    for (const role of roles) {
      await page.goto(`${server.url}/accounts/new`);
      await fill(page, { displayName: `Compte ${role}`, email: `${role}@mairie.fr`, password: PASSWORD, role, orgId: siteA });
      await page.getByRole("button", { name: "Créer le compte" }).click();
      await page.waitForURL(/\/accounts\/[0-9a-f-]{36}\?ok=account\.created/);
    }
    await audit(page);
    await page.goto(`${server.url}/accounts`);
    await audit(page);
    await expect(page.locator("table tbody tr").count()).resolves.toBe(6);
    await page.goto(`${server.url}/audit`);
    await audit(page);
    await expect(page.locator("table").textContent()).resolves.toContain("Attribution de rôle");
    await page.screenshot({ path: "docs/screenshots/journal-audit.png", fullPage: false });
  });

  it("keeps a referent of site A out of site B", async () => {
    const context = await browser.newContext({ locale: "fr-FR" });
    const p = await context.newPage();
    await p.goto(`${server.url}/login`);
    await audit(p);
    await fill(p, { email: "referent@mairie.fr", password: PASSWORD });
    await p.getByRole("button", { name: "Se connecter" }).click();
    await p.waitForURL(/\?ok=welcome/);
    await audit(p);
    const own = await p.goto(`${server.url}/organisations/${siteA}`);
    expect(own?.status()).toBe(200);
    const sibling = await p.goto(`${server.url}/organisations/${siteB}`);
    expect(sibling?.status()).toBe(404);
    await expect(p.locator("h1").textContent()).resolves.toBe("Page introuvable");
    const api = await p.goto(`${server.url}/api/v1/organisations/${siteB}`);
    expect(api?.status()).toBe(404);
    await p.goto(`${server.url}/organisations`);
    await expect(p.locator(".vigie-tree").textContent()).resolves.toContain("Site A");
    await expect(p.locator(".vigie-tree").textContent()).resolves.not.toContain("Site B");
    const accounts = await p.goto(`${server.url}/accounts`);
    expect(accounts?.status()).toBe(403);
    await context.close();
  });

  it("works without JavaScript", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "fr-FR", viewport: { width: 375, height: 740 } });
    const p = await context.newPage();
    await p.goto(`${server.url}/login`);
    await fill(p, { email: "admin@mairie.fr", password: PASSWORD });
    await p.getByRole("button", { name: "Se connecter" }).click();
    await p.waitForURL(/\?ok=welcome/);
    // The menu is reachable on a phone with no script to open it: the burger is then a link to it.
    await expect(p.getByRole("link", { name: "Organisations" }).isVisible()).resolves.toBe(false);
    // The burger's icon sits inside its 40 px button, not stretched over the site name by the brand's
    // enlarged-link rule (it was, at 375 px, with « Menu » spilling out on the right).
    const burger = await p.locator(".fr-header__navbar a.fr-btn--menu").evaluate((a) => {
      const icon = getComputedStyle(a, "::before");
      return { position: icon.position, width: icon.width, box: a.getBoundingClientRect().right };
    });
    expect(burger).toEqual({ position: "static", width: "24px", box: expect.any(Number) });
    expect(burger.box).toBeLessThanOrEqual(375);
    await p.locator(".fr-header__navbar a.fr-btn--menu").click();
    await expect(p.getByRole("link", { name: "Organisations" }).isVisible()).resolves.toBe(true);
    await p.goto(`${server.url}/organisations/new`);
    await fill(p, { name: "Service sans script", kind: "service", parentId: siteA });
    await p.getByRole("button", { name: "Créer l'organisation" }).click();
    await p.waitForURL(/ok=org\.created/);
    await expect(p.locator("h1").textContent()).resolves.toBe("Service sans script");
    await p.screenshot({ path: "docs/screenshots/mobile-sans-javascript.png", fullPage: true });
    await context.close();
  });

  it("shows the public pages to anyone, in light and dark", async () => {
    const context = await browser.newContext({ locale: "fr-FR", colorScheme: "dark" });
    const p = await context.newPage();
    for (const path of ["/legal/accessibilite", "/legal/mentions-legales", "/legal/donnees-personnelles", "/display", "/"]) {
      const response = await p.goto(`${server.url}${path}`);
      expect(response?.status()).toBe(200);
      await audit(p);
    }
    await expect(p.locator("footer").textContent()).resolves.toContain("Accessibilité\u00a0: partiellement conforme");
    await context.close();
    for (const path of ["/legal", "/legal/accessibilite/edit", "/api/docs"]) {
      await page.goto(`${server.url}${path}`);
      if (path !== "/api/docs") await audit(page);
    }
  });

  it("finds no accessibility violation on any page visited", () => {
    expect(violations).toEqual({});
  });
});
