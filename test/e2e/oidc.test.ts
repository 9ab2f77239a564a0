import { createServer } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROVIDER_USERS, startTestProvider, TEST_PASSWORD, type TestProvider } from "../support/oidc-provider.ts";
import {
  type AxeViolation,
  axeViolations,
  browserAvailable,
  createSiteThroughPages,
  type LiveServer,
  launchBrowser,
  startLiveServer,
} from "./support/browser.ts";

/** A free loopback port: the server's address must be known before it starts, to register it at the provider. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * From a blank install: the administrator configures a ProConnect-like provider (a real OpenID
 * provider on loopback) and a SIRET rule in Chromium; an agent signs in through the provider's own
 * login page, gets an account with the mapped role and sees the town hall; logging out ends the
 * provider's session too; a refusal at the provider comes back as a French message.
 */
describe.skipIf(!browserAvailable)("sign-in with an OpenID provider (ProConnect mode), in Chromium", () => {
  let server: LiveServer;
  let provider: TestProvider;
  let browser: Browser;
  let page: Page;
  let siteId = "";
  const violations: Record<string, AxeViolation[]> = {};
  const ADMIN_PASSWORD = "un héron sur la Loire au matin";

  async function shoot(name: string) {
    const found = await axeViolations(page);
    if (found.length) violations[new URL(page.url()).pathname] = found;
    await page.screenshot({ path: `docs/screenshots/oidc-${name}.png`, fullPage: true });
  }
  async function logOut() {
    await page
      .getByRole("button", { name: /menu du compte/ })
      .first()
      .click();
    await page.getByRole("button", { name: "Se déconnecter" }).first().click();
  }

  beforeAll(async () => {
    const port = await freePort();
    const base = `http://localhost:${port}`;
    provider = await startTestProvider(base, { signedUserinfo: true });
    server = await startLiveServer({ BASE_URL: base }, port);
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
  });

  it("the administrator of a blank install configures the provider and a SIRET rule", async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Hélène Garnier");
    await page.fill("#email", "helene.garnier@poissy.fr");
    await page.fill("#password", ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    siteId = await createSiteThroughPages(page, server.url, "Ville de Poissy");

    await page.goto(`${server.url}/admin/sign-in`);
    await expect(page.locator("h1").textContent()).resolves.toBe("Modes de connexion");
    await expect(page.locator("main").textContent()).resolves.toContain(`${server.url}/oidc/callback`);
    await page.getByRole("link", { name: "Ajouter un fournisseur" }).click();
    await page.fill("#label", "ProConnect");
    await page.fill("#issuer", "http://127.0.0.1:9/injoignable");
    await page.fill("#clientId", provider.clientId);
    await page.fill("#clientSecret", provider.clientSecret);
    await page.fill("#scopes", "openid email given_name usual_name siret idp_id");
    await page.locator('label[for="proconnect"]').click();
    await page.getByRole("button", { name: "Enregistrer le fournisseur" }).click();
    await expect(page.locator("#error-summary").textContent()).resolves.toContain("Le fournisseur d'identité ne répond pas à l'adresse");
    // The secret typed is not written back into the page.
    await expect(page.locator("#clientSecret").inputValue()).resolves.toBe("");
    await shoot("fournisseur-injoignable");

    await page.fill("#issuer", provider.issuer);
    await page.fill("#clientSecret", provider.clientSecret);
    await page.getByRole("button", { name: "Enregistrer le fournisseur" }).click();
    await page.waitForURL(/ok=oidc\.provider_saved/);
    await expect(page.locator("main").textContent()).resolves.toContain("La déconnexion de Vigie déconnecte aussi du fournisseur.");

    await page.fill("#claim", "siret");
    await page.fill("#value", "21780498600018");
    await page.selectOption("#orgId", siteId);
    await page.selectOption("#role", "correspondent");
    await page.getByRole("button", { name: "Ajouter la règle" }).click();
    await page.waitForURL(/ok=oidc\.rule_added/);
    const row = page.locator("table tbody tr").first();
    await expect(row.textContent()).resolves.toContain("21780498600018");
    await expect(row.textContent()).resolves.toContain("Ville de Poissy");
    await shoot("fournisseur-et-regle");
    await logOut();
    await page.waitForURL(/\/login/);
  });

  it("an agent signs in through the provider, gets the mapped role and sees the town hall", async () => {
    await expect(page.locator(".fr-connect__brand").textContent()).resolves.toBe("ProConnect");
    await shoot("page-de-connexion");
    await page.locator(".fr-connect").click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await expect(page.locator("h1").textContent()).resolves.toBe("Fournisseur d'identité de test");
    await page.fill('input[name="login"]', "agent-poissy");
    await page.fill('input[name="password"]', TEST_PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(/ok=welcome/);
    expect(new URL(page.url()).origin).toBe(server.url);
    await expect(page.locator("h1").textContent()).resolves.toContain("Camille Martin");
    await page.goto(`${server.url}/organisations`);
    await expect(page.locator("main").textContent()).resolves.toContain("Ville de Poissy");
    await shoot("agent-connecte");
    expect(PROVIDER_USERS["agent-poissy"]?.claims.siret).toBe("21780498600018");
  });

  it("logging out ends the provider's session too", async () => {
    await logOut();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.getByRole("button", { name: "Oui, me déconnecter" }).click();
    await page.waitForURL(/ok=logout\.provider/);
    await expect(page.locator("body").textContent()).resolves.toContain(
      "Vous êtes déconnecté de Vigie et de votre fournisseur d'identité.",
    );
    expect(provider.logouts).toBe(1);
  });

  it("a refusal at the provider comes back as a French message on the sign-in page", async () => {
    await page.locator(".fr-connect").click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    // The provider asks again: its session ended at logout.
    await expect(page.locator('input[name="login"]').isVisible()).resolves.toBe(true);
    await page.getByRole("button", { name: "Refuser" }).click();
    await page.waitForURL(/error=oidc\.refused/);
    await expect(page.locator("#error-summary").textContent()).resolves.toContain(
      "Vous avez refusé la connexion chez le fournisseur d'identité : vous n'êtes pas connecté à Vigie.",
    );
    await shoot("refus");
    expect(violations).toEqual({});
  });
});
