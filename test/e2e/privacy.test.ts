import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
import { applyAllRetention } from "../../src/modules/privacy/privacy.service.ts";
import { Client } from "../support/app.ts";
import {
  type AxeViolation,
  axeViolations,
  browserAvailable,
  createSiteThroughPages,
  type LiveServer,
  launchBrowser,
  signIn,
  startLiveServer,
} from "./support/browser.ts";

/**
 * From a blank install: the administrator of a town hall sets a retention period, the nightly job
 * anonymises the requests past it (the figures unchanged), then a person's erasure request is followed
 * through — found by e-mail, exported, erased, and the audit log shows it.
 */
describe.skipIf(!browserAvailable)("personal data: retention and erasure, in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  let site = "";
  let api: Client;
  const ids: Record<string, string> = {};
  const violations: Record<string, AxeViolation[]> = {};
  const PASSWORD = "une phrase de passe solide";

  async function audit(p: Page, shot?: string) {
    const found = await axeViolations(p);
    if (found.length) violations[new URL(p.url()).pathname] = found;
    if (shot) await p.screenshot({ path: `docs/screenshots/privacy-${shot}.png`, fullPage: true });
  }

  const register = async (receivedOn: string, closedOn: string, name: string, email: string) => {
    const r = (
      await api.api("POST", `/api/v1/organisations/${site}/requests`, {
        kind: "complaint",
        channel: "letter",
        receivedOn,
        subject: `Réclamation de ${name}`,
        requesterName: name,
        requesterEmail: email,
      })
    ).json().request;
    const closed = await api.api("POST", `/api/v1/organisations/${site}/requests/${r.id}/status`, {
      status: "closed",
      on: closedOn,
      version: r.version,
    });
    expect(closed.statusCode).toBe(200);
    return r.id as string;
  };

  beforeAll(async () => {
    server = await startLiveServer();
    await createInstanceAdmin(server.database.db, { email: "admin@mairie.fr", displayName: "Admin", password: PASSWORD });
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR", acceptDownloads: true })).newPage();
    await signIn(page, server.url, "admin@mairie.fr", PASSWORD);
    site = await createSiteThroughPages(page, server.url, "Mairie de Bourg");
    // Requests of past years, as a register imported at installation would bring them.
    api = new Client(server.app);
    await api.login("admin@mairie.fr", PASSWORD);
    ids.old = await register("2019-03-04", "2019-03-20", "Jeanne Martin", "jeanne@example.org");
    ids.recent = await register("2026-06-01", "2026-06-10", "Lucie Bernard", "lucie@example.org");
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const figures = async () => {
    await page.goto(`${server.url}/organisations/${site}/requests/indicators?from=2019-01-01&to=2026-12-31`);
    return (await page.locator("main").textContent()) ?? "";
  };

  it("sets the complaints' period to 24 months on « Données personnelles »", async () => {
    await page.goto(`${server.url}/organisations/${site}`);
    // The footer links the public page of the same name: the organisation's button is in the main part.
    await page.locator("main").getByRole("link", { name: "Données personnelles", exact: true }).click();
    await expect(page.locator("h1").textContent()).resolves.toBe("Données personnelles");
    await expect(page.locator("#months_complaints").inputValue()).resolves.toBe("60");
    await page.fill("#months_complaints", "0");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await expect(page.locator("main").textContent()).resolves.toContain("Réclamations\u00a0: au moins 1\u00a0mois.");
    await page.fill("#months_complaints", "24");
    await page.fill("#dpoName", "Centre de gestion de l'Ain");
    // The audit log's period is bounded by the CNIL's recommendation: 60 months is refused, nothing saved.
    await page.fill("#months_audit", "60");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await expect(page.locator("main").textContent()).resolves.toContain("Journal d'audit\u00a0: au plus 36\u00a0mois.");
    await page.fill("#months_audit", "12");
    await page.fill("#dpoEmail", "rgpd@cdg01.fr");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/ok=privacy\.saved/);
    await expect(page.locator("#months_complaints").inputValue()).resolves.toBe("24");
    await audit(page, "reglages");
    await page.getByRole("link", { name: "Registre des activités de traitement" }).click();
    const register = (await page.locator("main").textContent()) ?? "";
    expect(register).toContain("Mairie de Bourg");
    expect(register).toContain("Centre de gestion de l'Ain");
    expect(register).toMatch(/Réclamations\s*2\s+ans/);
    await audit(page, "registre");
  });

  it("anonymises the 2019 complaint at the nightly run; the figures stay the same", async () => {
    const before = await figures();
    expect(before.length).toBeGreaterThan(0);
    expect(await applyAllRetention(server.database.db, new Date())).toBe(1);
    expect(await figures()).toBe(before);
    await page.goto(`${server.url}/organisations/${site}/requests/${ids.old}`);
    const main = (await page.locator("main").textContent()) ?? "";
    expect(main).toContain("Anonymisée");
    expect(main).not.toContain("Jeanne");
    await audit(page, "demande-anonymisee");
    await page.goto(`${server.url}/organisations/${site}/requests/${ids.recent}`);
    await expect(page.locator("main").textContent()).resolves.toContain("Lucie Bernard");
  });

  it("follows an erasure request: search by e-mail, export, erase, audit line", async () => {
    // The audit log holds the request as it was registered, the person included, until the erasure.
    await page.goto(`${server.url}/audit`);
    await expect(page.locator("main").textContent()).resolves.toContain("Lucie Bernard");
    await page.goto(`${server.url}/organisations/${site}/privacy`);
    await page.fill("#email", "lucie@example.org");
    await page.getByRole("button", { name: "Rechercher" }).click();
    await expect(page.locator("main").textContent()).resolves.toMatch(/1\s+demande trouvée/);
    await audit(page, "recherche");
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Exporter ses données (JSON)" }).click();
    const file = await (await download).path();
    const exported = JSON.parse(await readFile(file, "utf8"));
    expect(exported.requests).toHaveLength(1);
    expect(exported.requests[0].requester.name).toBe("Lucie Bernard");
    // Without the confirmation nothing is erased.
    await page.getByRole("button", { name: "Effacer ses données" }).click();
    await expect(page.locator("main").textContent()).resolves.toContain("Cochez la case pour confirmer l'effacement.");
    await page.locator("label[for=confirm]").click();
    await page.getByRole("button", { name: "Effacer ses données" }).click();
    await page.waitForURL(/ok=privacy\.erased/);
    await audit(page, "effacee");
    await page.goto(`${server.url}/organisations/${site}/requests/${ids.recent}`);
    const main = (await page.locator("main").textContent()) ?? "";
    expect(main).toContain("Anonymisée");
    expect(main).not.toContain("Lucie");
    await page.goto(`${server.url}/audit`);
    const log = (await page.locator("main").textContent()) ?? "";
    expect(log).toContain("Export de données personnelles");
    expect(log).toContain("Anonymisation");
    // Erased from the log's copies of her request too; the trail of who did what stays.
    expect(log).not.toContain("Lucie Bernard");
    expect(log).not.toContain("lucie@example.org");
    await audit(page, "journal");
  });

  it("tells a member of the public on a phone, without JavaScript, who holds their data and for how long", async () => {
    const phone = await (
      await browser.newContext({ locale: "fr-FR", viewport: { width: 375, height: 740 }, javaScriptEnabled: false })
    ).newPage();
    await phone.goto(`${server.url}/public/organisations/${site}/complaint`);
    await phone.getByRole("link", { name: "vos données personnelles et vos droits" }).click();
    await expect(phone.locator("h1").textContent()).resolves.toBe("Vos données personnelles");
    const text = ((await phone.locator("main").textContent()) ?? "").replace(/\u00a0/g, " ");
    expect(text).toContain("Responsable du traitement : Mairie de Bourg");
    expect(text).toContain("Délégué à la protection des données : Centre de gestion de l'Ain, rgpd@cdg01.fr");
    // The period set in the first step, as it stands today.
    expect(text).toMatch(/Réclamations\s*2 ans\s*anonymisation automatique/);
    expect(text).toContain("CNIL");
    // Nothing wider than the phone: no sideways scrolling.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await phone.screenshot({ path: "docs/screenshots/privacy-page-publique-telephone.png", fullPage: true });
    await phone.context().close();
    // axe needs a script: the same page is checked again at phone width with it.
    const checked = await (await browser.newContext({ locale: "fr-FR", viewport: { width: 375, height: 740 } })).newPage();
    await checked.goto(`${server.url}/public/organisations/${site}/donnees-personnelles`);
    await audit(checked);
    await checked.context().close();
  });

  it("met no accessibility violation", () => {
    expect(violations).toEqual({});
  });
});
