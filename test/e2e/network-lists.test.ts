import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerRequest } from "../../src/modules/requests/requests.service.ts";
import {
  type AxeViolation,
  axeViolations,
  browserAvailable,
  type LiveServer,
  launchBrowser,
  startLiveServer,
  typeInAutofocused,
} from "./support/browser.ts";

/**
 * The head of a network from a blank install (issue #13): sets up the first administrator, builds a
 * network, a region and three sites through the pages, registers a request on two sites (the same
 * year: both are « 2025-000001 »), then reads the network's request list — a « Site » column tells
 * them apart, a filter keeps one site, « Suivant » turns the page, a search ignores accents — and the
 * tree page, indented and searchable. axe checks every page met; screenshots at desktop width and 390 px.
 */
describe.skipIf(!browserAvailable)("the lists of a network in Chromium, from a blank install", () => {
  let server: LiveServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const ids: Record<string, string> = {};
  const violations: Record<string, AxeViolation[]> = {};
  const PASSWORD = "une phrase de passe solide";

  async function audit(p: Page) {
    const found = await axeViolations(p);
    if (found.length) violations[new URL(p.url()).pathname + new URL(p.url()).search] = found;
  }

  async function createOrg(fields: { name: string; kind: string; parentId?: string }): Promise<string> {
    await page.goto(`${server.url}/organisations/new`);
    await page.fill("#name", fields.name);
    await page.selectOption("#kind", fields.kind);
    if (fields.parentId) await page.selectOption("#parentId", fields.parentId);
    await page.getByRole("button", { name: "Créer l'organisation" }).click();
    await page.waitForURL(/\/organisations\/[0-9a-f-]{36}\?ok=org\.created/);
    return new URL(page.url()).pathname.split("/")[2] ?? "";
  }

  /** The « Site » cell of each row of the list, with the number beside it. */
  const rows = (p: Page) =>
    p
      .locator("table tbody tr")
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent?.trim() ?? "")));

  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    context = await browser.newContext({ locale: "fr-FR" });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("sets up the first administrator, then a network, a region and three sites through the pages", async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Nadia Tête-de-réseau");
    await page.fill("#email", "nadia@reseau.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    ids.network = await createOrg({ name: "Réseau des mairies des Yvelines", kind: "network" });
    ids.region = await createOrg({ name: "Île-de-France", kind: "region", parentId: ids.network });
    for (const name of ["Mairie d'Andrésy", "Mairie de Poissy", "Mairie de Conflans-Sainte-Honorine"]) {
      ids[name] = await createOrg({ name, kind: "site", parentId: ids.region });
    }
    await audit(page);
  });

  it("registers a request on two sites, the same year: both numbered 2025-000001", async () => {
    for (const [site, subject] of [
      ["Mairie d'Andrésy", "Réclamation voirie rue de l'Église"],
      ["Mairie de Poissy", "Demande d'acte d'état civil"],
    ] as const) {
      await page.goto(`${server.url}/organisations/${ids[site]}/requests/new`);
      await typeInAutofocused(page, "subject", subject);
      await page.fill("#receivedOn", "2025-03-03");
      await page.getByRole("button", { name: "Enregistrer" }).click();
      await page.waitForURL(/ok=request\.created/);
      await expect(page.locator("h1").textContent()).resolves.toContain("2025-000001");
    }
  });

  it("reads the network's list: a « Site » column tells the two 2025-000001 apart, a filter keeps one site", async () => {
    await page.goto(`${server.url}/organisations/${ids.network}/requests`);
    await audit(page);
    await expect(page.locator("table thead").textContent()).resolves.toContain("Site");
    await expect(page.locator("table caption").textContent()).resolves.toBe("Toutes : 2\u00a0demandes");
    const listed = await rows(page);
    expect(listed.map((r) => `${r[0]} ${r[1]}`).sort()).toEqual(["2025-000001 Mairie d'Andrésy", "2025-000001 Mairie de Poissy"]);
    // The site's name is a link to the site.
    await expect(page.getByRole("link", { name: "Mairie de Poissy" }).getAttribute("href")).resolves.toBe(
      `/organisations/${ids["Mairie de Poissy"]}`,
    );
    await page.screenshot({ path: "docs/screenshots/reseau-demandes.png", fullPage: true });

    await page.fill("#site", "poissy");
    // The other filters are folded away until asked for.
    await expect(page.locator("#channel").isVisible()).resolves.toBe(false);
    await page.getByText("Plus de filtres").click();
    await page.selectOption("#channel", "letter");
    await page.getByRole("button", { name: "Filtrer" }).click();
    await page.waitForURL(/site=poissy/);
    await expect(page.locator("#channel").inputValue()).resolves.toBe("letter");
    await audit(page);
    const filtered = await rows(page);
    expect(filtered.map((r) => r[1])).toEqual(["Mairie de Poissy"]);
    await expect(page.locator("#site").inputValue()).resolves.toBe("poissy");
  });

  it("turns the page with « Suivant » and « Précédent » over 62 requests, each listed once", async () => {
    // 60 more on Conflans through the service: clicking the form 60 times would test nothing more.
    const conflans = ids["Mairie de Conflans-Sainte-Honorine"] ?? "";
    for (let i = 1; i <= 60; i++) {
      await registerRequest(
        server.database.db,
        conflans,
        { kind: "request", channel: "email", receivedOn: `2025-0${1 + (i % 6)}-1${i % 10}`, subject: `Courriel n° ${i}` },
        { source: "agent", author: { accountId: null, label: "essai" } },
      );
    }
    await page.goto(`${server.url}/organisations/${ids.network}/requests?sort=number`);
    await expect(page.locator("table caption").textContent()).resolves.toBe("Toutes : 62\u00a0demandes");
    const first = await rows(page);
    expect(first).toHaveLength(50);
    await expect(page.locator(".fr-pagination a[aria-disabled='true']").textContent()).resolves.toBe("Précédent");
    await page.getByRole("link", { name: "Suivant" }).click();
    await page.waitForURL(/after=/);
    await audit(page);
    const second = await rows(page);
    expect(second).toHaveLength(12);
    const seen = [...first, ...second].map((r) => `${r[0]} ${r[1]}`);
    expect(new Set(seen).size).toBe(62);
    // The three « 2025-000001 » are three rows, one per site.
    expect(seen.filter((s) => s.startsWith("2025-000001 ")).sort()).toEqual([
      "2025-000001 Mairie d'Andrésy",
      "2025-000001 Mairie de Conflans-Sainte-Honorine",
      "2025-000001 Mairie de Poissy",
    ]);
    await page.getByRole("link", { name: "Précédent" }).click();
    await page.waitForURL(/before=/);
    expect((await rows(page)).map((r) => `${r[0]} ${r[1]}`)).toEqual(first.map((r) => `${r[0]} ${r[1]}`));
  });

  it("finds a subject typed without its accents", async () => {
    await page.goto(`${server.url}/organisations/${ids.network}/requests`);
    await page.fill("#q", "etat civil");
    await page.getByRole("button", { name: "Filtrer" }).click();
    await page.waitForURL(/q=etat/);
    await audit(page);
    const found = await rows(page);
    expect(found.map((r) => r[2])).toEqual(["Demande d'acte d'état civil"]);
  });

  it("shows the tree indented by level, with counts, and finds a site by a part of its name", async () => {
    await page.goto(`${server.url}/organisations`);
    await audit(page);
    // Network › region › site: the site's item sits in a list inside the region's, inside the network's.
    const nested = page.locator(".vigie-tree > li > ul > li > ul > li");
    await expect(nested.locator("> a").allTextContents()).resolves.toEqual([
      "Mairie d'Andrésy",
      "Mairie de Conflans-Sainte-Honorine",
      "Mairie de Poissy",
    ]);
    const indent = async (name: string) => (await page.getByRole("link", { name, exact: true }).boundingBox())?.x ?? 0;
    expect(await indent("Île-de-France")).toBeGreaterThan(await indent("Réseau des mairies des Yvelines"));
    expect(await indent("Mairie de Poissy")).toBeGreaterThan(await indent("Île-de-France"));
    await expect(page.locator(".vigie-tree > li > .vigie-tree__counts").textContent()).resolves.toBe(
      "3\u00a0sites · 62\u00a0demandes ouvertes",
    );
    await page.screenshot({ path: "docs/screenshots/reseau-arbre.png", fullPage: true });
    await page.fill("#q", "conflans");
    await page.getByRole("button", { name: "Rechercher" }).click();
    await page.waitForURL(/q=conflans/);
    await audit(page);
    await expect(page.locator("main").textContent()).resolves.toContain("1\u00a0organisation trouvée pour « conflans »");
    await expect(page.locator(".vigie-tree__match").textContent()).resolves.toBe("Mairie de Conflans-Sainte-Honorine");
    await expect(page.locator(".vigie-tree").textContent()).resolves.not.toContain("Mairie de Poissy");
  });

  it("runs the network's survey on its sites' links: the results compare the sites, and keep one", async () => {
    await page.goto(`${server.url}/organisations/${ids.network}/surveys`);
    await page.selectOption("#template", "on-the-spot");
    await page.selectOption("#channel", "counter");
    await page.getByRole("button", { name: "Créer l'enquête" }).click();
    await page.waitForURL(/diffusion\?ok=survey\.created/);
    await audit(page);
    const results = page.url().replace(/\/diffusion\?.*$/, "");
    // Each site's own link, from the table of the sites below (written with the configured address).
    const linkOf = async (site: string) => {
      const href =
        (await page.locator("table tbody tr", { hasText: site }).getByRole("link", { name: "questionnaire" }).getAttribute("href")) ?? "";
      return `${server.url}${new URL(href).pathname}${new URL(href).search}`;
    };
    const links = { poissy: await linkOf("Mairie de Poissy"), andresy: await linkOf("Mairie d'Andrésy") };
    // Four people on phones without JavaScript: three at Poissy (two content, one not), one at Andrésy (neutral).
    for (const [link, face] of [
      [links.poissy, 3],
      [links.poissy, 3],
      [links.poissy, 1],
      [links.andresy, 2],
    ] as const) {
      const phone = await browser.newContext({ javaScriptEnabled: false, locale: "fr-FR", viewport: { width: 390, height: 844 } });
      const p = await phone.newPage();
      await p.goto(link);
      await p.locator(`label[for="q-overall-${face}"]`).click();
      await p.getByRole("button", { name: "Envoyer mon avis" }).click();
      await p.waitForURL(/merci/);
      await phone.close();
    }

    await page.goto(results);
    await audit(page);
    await expect(page.locator("main").textContent()).resolves.toContain("4 réponses");
    const compared = await page
      .locator("table", { has: page.locator("caption", { hasText: "Comparaison entre sites" }) })
      .locator("tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) =>
          Array.from(tr.querySelectorAll("th, td"), (c) => (c.textContent ?? "").replace(/\s\(IC.*$/u, "").trim()).slice(0, 3),
        ),
      );
    expect(compared).toEqual([
      ["Mairie d'Andrésy", "1", "0\u202f%"],
      ["Mairie de Poissy", "3", "67\u202f%"],
    ]);
    await page.screenshot({ path: "docs/screenshots/reseau-enquete-sites.png", fullPage: true });
    // One site: its own answers, every question.
    await page.selectOption("#site", { label: "Mairie de Poissy" });
    await page.getByRole("button", { name: "Afficher" }).click();
    await page.waitForURL(/site=/);
    await audit(page);
    await expect(page.locator("main").textContent()).resolves.toContain("3 réponses");
    await expect(page.locator("#site option:checked").textContent()).resolves.toBe("Mairie de Poissy");
  });

  it("works on a 390 px phone: the list and the tree fit the screen", async () => {
    const phone = await browser.newContext({
      locale: "fr-FR",
      viewport: { width: 390, height: 844 },
      storageState: await context.storageState(),
    });
    const p = await phone.newPage();
    await p.goto(`${server.url}/organisations/${ids.network}/requests?site=conflans`);
    await audit(p);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expect(p.locator("table caption").textContent()).resolves.toBe("Toutes : 60\u00a0demandes");
    await p.screenshot({ path: "docs/screenshots/reseau-demandes-390.png", fullPage: true });
    await p.goto(`${server.url}/organisations`);
    await audit(p);
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await p.screenshot({ path: "docs/screenshots/reseau-arbre-390.png", fullPage: true });
    await phone.close();
    expect(violations).toEqual({});
  });
});
