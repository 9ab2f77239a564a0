import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/kernel/roles.ts";
import { setAnnouncedDelays } from "../../src/modules/announced-delays/announced-delays.service.ts";
import { changeStatus, registerRequest } from "../../src/modules/requests/requests.service.ts";
import { type AxeViolation, axeViolations, browserAvailable, type LiveServer, launchBrowser, startLiveServer } from "./support/browser.ts";

/** The words on the page; its no-break spaces are checked by the typography test. */
const plain = (text: string | null) => (text ?? "").replace(/[\u00a0\u202f]/g, " ");

const ROOT: Actor = { accountId: "00000000-0000-0000-0000-000000000000", email: "x", displayName: "Test", instanceAdmin: true, grants: [] };

/**
 * The head of a network, from a blank install (issue #13): creates the first account, then a network
 * with two regions and four sites through the pages; requests are registered and answered on the
 * sites (through the service: the data is not what is looked at here); the network's dashboard adds
 * them up; the comparison of every site ranks the four sites, the switch to the structures below
 * shows the two regions; the CSV export is downloaded and read back (site names, French decimals).
 *
 * Per site, received last month at the counter, with a 5-working-day delay announced by the network:
 * Lille 4 (all in time), Arras 3 (2 in time), Nîmes 2 (1 in time), Arles 1 (late) — 10 in all, 7 in time.
 */
const PLAN: Array<{ region: string; site: string; inTime: number; late: number }> = [
  { region: "Région Nord", site: "Maison France services de Lille", inTime: 4, late: 0 },
  { region: "Région Nord", site: "Maison France services d'Arras", inTime: 2, late: 1 },
  { region: "Région Sud", site: "Maison France services de Nîmes", inTime: 1, late: 1 },
  { region: "Région Sud", site: "Maison France services d'Arles", inTime: 0, late: 1 },
];

describe.skipIf(!browserAvailable)("the head of a network compares its sites, from a blank install", () => {
  let server: LiveServer;
  let base = "";
  let browser: Browser;
  let page: Page;
  let network = "";
  const ids = new Map<string, string>();
  const violations: Record<string, AxeViolation[]> = {};
  const PASSWORD = "Quatre maisons, deux régions, un siège";

  async function audit(p: Page) {
    const found = await axeViolations(p);
    if (found.length) violations[`${new URL(p.url()).pathname}${new URL(p.url()).search}`] = found;
  }
  const main = async () => plain(await page.locator("main").textContent());

  /** The organisation form, as the head of network fills it: name, type, and what it belongs to. */
  async function createOrganisation(name: string, kind: string, parentId?: string): Promise<string> {
    await page.goto(`${base}/organisations/new${parentId ? `?parentId=${parentId}` : ""}`);
    await page.fill("#name", name);
    await page.selectOption("#kind", kind);
    if (parentId) expect(await page.inputValue("#parentId")).toBe(parentId);
    await page.getByRole("button", { name: "Créer l'organisation" }).click();
    await page.waitForURL(/ok=org\.created/);
    return new URL(page.url()).pathname.split("/")[2] ?? "";
  }

  beforeAll(async () => {
    server = await startLiveServer();
    base = server.url;
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR", acceptDownloads: true })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("creates the first account, the network, its two regions and four sites through the pages", async () => {
    await page.goto(base);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Hélène Marchand");
    await page.fill("#email", "direction@exemple.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    network = await createOrganisation("Réseau France services", "network");
    for (const region of ["Région Nord", "Région Sud"]) ids.set(region, await createOrganisation(region, "region", network));
    for (const p of PLAN) ids.set(p.site, await createOrganisation(p.site, "site", ids.get(p.region)));
    await page.goto(`${base}/organisations/${network}`);
    const text = await main();
    expect(text).toContain("Région Nord");
    expect(text).toContain("Région Sud");
  });

  it("registers and answers requests on the sites", async () => {
    const db = server.database.db;
    await setAnnouncedDelays(db, ROOT, network, [{ channel: "counter", kind: "request", value: 5, unit: "working_days" }]);
    // Last month: inside the dashboard's default period (the last twelve whole months), answers in the past.
    const now = new Date();
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    for (const p of PLAN) {
      const site = ids.get(p.site) ?? "";
      const answers = [...Array(p.inTime).fill("in time"), ...Array(p.late).fill("late")] as string[];
      for (const [i, when] of answers.entries()) {
        const { request } = await registerRequest(
          db,
          site,
          { kind: "request", channel: "counter", receivedOn: `${month}-0${2 + i}`, subject: `Demande ${i + 1}` },
          { source: "agent", author: { accountId: null, label: "test" } },
        );
        expect(request.dueOn).not.toBeNull();
        const due = new Date(`${request.dueOn}T12:00:00Z`).getTime();
        const on = new Date(due + (when === "late" ? 3 : -1) * 86_400_000).toISOString().slice(0, 10);
        await changeStatus(db, ROOT, site, request.id, { status: "answered", pauseClock: false, version: request.version, on });
      }
    }
  });

  it("sees the network's dashboard add up its sites", async () => {
    await page.goto(`${base}/organisations/${network}/dashboard`);
    await audit(page);
    const row = (label: string) => page.locator("tr", { has: page.locator("th", { hasText: new RegExp(`^${label}$`) }) }).first();
    const received = plain(await row("Demandes reçues").textContent());
    expect(received).toMatch(/Demandes reçues\s*10\b/);
    const inTime = plain(await row("Demandes traitées dans le délai annoncé").textContent());
    expect(inTime).toContain("70 %");
    expect(await main()).toContain("Classement de tous les sites (4)");
  });

  it("ranks the four sites, then the two regions", async () => {
    await page.getByRole("link", { name: "Classement de tous les sites (4)" }).click();
    await page.waitForURL(/depth=sites/);
    await page.selectOption("#indicator", { label: "Demandes traitées dans le délai annoncé" });
    await page.getByRole("button", { name: "Comparer" }).click();
    await page.waitForURL(/indicator=/);
    await audit(page);
    expect(await page.locator("h1").textContent()).toBe("Comparaison des sites — Réseau France services");
    const rows = page.locator("table tbody tr");
    expect(await rows.count()).toBe(4);
    const ranking = (await rows.allTextContents()).map(plain);
    expect(ranking[0]).toMatch(/^1\s*Maison France services de Lille\s*100 %/);
    expect(ranking[1]).toMatch(/^2\s*Maison France services d'Arras\s*66,7 %/);
    expect(ranking[2]).toMatch(/^3\s*Maison France services de Nîmes\s*50 %/);
    expect(ranking[3]).toMatch(/^4\s*Maison France services d'Arles\s*0 %/);
    await page.screenshot({ path: "docs/screenshots/reseau-comparaison.png", fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await audit(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: "docs/screenshots/reseau-comparaison-390.png", fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByRole("link", { name: "Structures rattachées" }).click();
    await page.waitForURL(/depth=children/);
    await audit(page);
    expect(await page.locator("h1").textContent()).toBe("Comparaison des structures — Réseau France services");
    const regions = (await page.locator("table tbody tr").allTextContents()).map(plain);
    expect(regions).toHaveLength(2);
    // The indicator chosen is kept: Nord 6 of 7 in time, Sud 1 of 3.
    expect(regions[0]).toMatch(/^1\s*Région Nord\s*85,7 %/);
    expect(regions[1]).toMatch(/^2\s*Région Sud\s*33,3 %/);
  });

  it("downloads the comparison of every site as a CSV a French spreadsheet reads", async () => {
    await page.getByRole("link", { name: "Tous les sites" }).click();
    await page.waitForURL(/depth=sites/);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: /Télécharger la comparaison/ }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^comparaison-sites-reseau-france-services-.*\.csv$/);
    const bytes = readFileSync(await download.path());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const lines = bytes.toString("utf8").slice(1).trimEnd().split("\r\n");
    const header = lines[0]?.split(";") ?? [];
    expect(header.slice(0, 3)).toEqual(["Rang", "Structure", "Type"]);
    const inTime = header.indexOf("Demandes traitées dans le délai annoncé (%)");
    const received = header.indexOf("Demandes reçues");
    expect(inTime).toBeGreaterThan(2);
    expect(received).toBeGreaterThan(2);
    const rows = lines.slice(1).map((l) => l.split(";"));
    expect(rows.map((r) => r[1])).toEqual([
      "Maison France services de Lille",
      "Maison France services d'Arras",
      "Maison France services de Nîmes",
      "Maison France services d'Arles",
    ]);
    expect(rows.map((r) => r[2])).toEqual(["Site", "Site", "Site", "Site"]);
    expect(rows.map((r) => r[inTime])).toEqual(["100", "66,7", "50", "0"]);
    expect(rows.map((r) => r[received])).toEqual(["4", "3", "2", "1"]);
  });

  it("finds nothing for axe on any page of the journey", () => {
    expect(violations).toEqual({});
  });
});
