import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  browserAvailable,
  createSiteThroughPages,
  type LiveServer,
  launchBrowser,
  startLiveServer,
  watchPageErrors,
} from "./support/browser.ts";

/**
 * From a blank install: the administrator creates the service account « Plateforme téléphonique »
 * and gives it a token that writes calls and reads dashboards, on one site only; a program (fetch)
 * pushes calls through the API with it and reads the site's indicators; the same token is refused on
 * requests (403, in French) and on the other site; the service-accounts page shows the token's use.
 */
describe.skipIf(!browserAvailable)("service accounts: a telephony platform's token, in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  let dole = "";
  let lons = "";
  let secret = "";
  const PASSWORD = "un héron sur la Loire au matin";

  const shot = (name: string) => page.screenshot({ path: `docs/screenshots/service-accounts-${name}.png`, fullPage: true });
  const mainText = async () => ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");

  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    watchPageErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("sets up the instance and two sites", async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Hélène Garnier");
    await page.fill("#email", "helene.garnier@mairie.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    dole = await createSiteThroughPages(page, server.url, "Mairie de Dole");
    lons = await createSiteThroughPages(page, server.url, "Mairie de Lons");
  });

  it("creates the service account « Plateforme téléphonique » with the agent role on Dole", async () => {
    await page.goto(server.url);
    await page.getByRole("link", { name: "Comptes de service" }).first().click();
    await page.waitForURL(/\/admin\/service-accounts$/);
    expect(await mainText()).toContain("Aucun compte de service pour l'instant.");
    // Nothing typed: a French message, nothing created.
    await page.getByRole("button", { name: "Créer le compte de service" }).click();
    expect(await mainText()).toContain("Le nom du compte de service");
    expect(await mainText()).toContain("Aucun compte de service pour l'instant.");
    await page.fill("#name", "Plateforme téléphonique");
    await page.selectOption("#orgId", dole);
    await page.selectOption("#role", "agent");
    await page.getByRole("button", { name: "Créer le compte de service" }).click();
    await page.waitForURL(/ok=service_account\.created/);
    const text = await mainText();
    expect(text).toContain("Compte de service créé.");
    expect(text).toContain("Plateforme téléphonique");
    expect(text).toContain("Agent sur Mairie de Dole");
    expect(text).toContain("Aucun jeton.");
    // Its roles are managed like anyone's, on its account page.
    await page.getByRole("link", { name: "gérer ses rôles" }).click();
    await page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
    expect(await mainText()).toContain("Plateforme téléphonique");
    expect(await mainText()).toContain("Mairie de Dole");
    await page.goto(`${server.url}/admin/service-accounts`);
  });

  it("gives it a token: calls in writing, dashboards in reading, Dole only; the secret is shown once", async () => {
    await page.getByRole("link", { name: "Créer un jeton pour « Plateforme téléphonique »" }).click();
    await page.waitForURL(/\/tokens\/new$/);
    await page.fill("#name", "Poussée des appels");
    await page.selectOption("#access_calls", "write");
    await page.selectOption("#access_dashboards", "read");
    await page.selectOption("#orgId", dole);
    await page.selectOption("#days", "365");
    await page.getByRole("button", { name: "Créer le jeton" }).click();
    await expect(page.locator(".fr-alert--success").textContent()).resolves.toContain("il ne sera plus jamais affiché");
    secret = ((await page.locator("#new-token").textContent()) ?? "").trim();
    expect(secret).toMatch(/^vig_[A-Za-z0-9_-]{43}$/);
    await page.goto(`${server.url}/admin/service-accounts`);
    const text = await mainText();
    expect(text).not.toContain(secret);
    expect(text).toContain(`${secret.slice(0, 10)}…`);
    expect(text).toContain("Accueil téléphonique : lecture et écriture");
    expect(text).toContain("Indicateurs et tableaux de bord : lecture");
    expect(text).toContain("Jamais");
  });

  it("the platform pushes calls and reads Dole's indicators; requests and Lons are refused", async () => {
    const headers = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
    const calls = [
      { id: "pabx-1001", startedAt: "2026-11-02T09:00:00", line: "Accueil", outcome: "answered", wait: 15, talk: 120 },
      { id: "pabx-1002", startedAt: "2026-11-02T09:20:00", line: "Accueil", outcome: "answered", wait: 35, talk: 60 },
      { id: "pabx-1003", startedAt: "2026-11-02T10:05:00+01:00", line: "Accueil", outcome: "abandoned", wait: 70 },
    ];
    const pushed = await fetch(`${server.url}/api/v1/organisations/${dole}/calls`, {
      method: "POST",
      headers,
      body: JSON.stringify({ calls }),
    });
    expect(pushed.status).toBe(201);
    expect(await pushed.json()).toMatchObject({ status: "done", rowsCreated: 3 });
    const figures = await fetch(`${server.url}/api/v1/organisations/${dole}/call-indicators?from=2026-11-01&to=2026-11-30`, { headers });
    expect(figures.status).toBe(200);
    expect((await figures.json()).total).toMatchObject({ offered: 3, answered: 2, abandoned: 1 });
    const dashboard = await fetch(`${server.url}/api/v1/organisations/${dole}/dashboard?from=2026-11-01&to=2026-11-30`, { headers });
    expect(dashboard.status).toBe(200);

    const requests = await fetch(`${server.url}/api/v1/organisations/${dole}/requests`, { headers });
    expect(requests.status).toBe(403);
    expect((await requests.json()).error).toBe("Ce jeton d'API n'ouvre pas le module « Demandes des usagers ».");
    const elsewhere = await fetch(`${server.url}/api/v1/organisations/${lons}/calls`, {
      method: "POST",
      headers,
      body: JSON.stringify({ calls }),
    });
    expect(elsewhere.status).toBe(404);
  });

  it("the calls page shows the pushed calls; the service-accounts page shows the token's last use", async () => {
    await page.goto(`${server.url}/admin/service-accounts`);
    const text = await mainText();
    expect(text).not.toContain("Jamais");
    expect(text).toContain("Valable jusqu'au");
    await shot("page");
    // The sending is one import among the site's call logs, recorded at once.
    await page.goto(`${server.url}/organisations/${dole}/calls/import`);
    expect(await mainText()).toContain("Envoi par l'API (3 appels)");
    await shot("imports-appels");
  });
});
