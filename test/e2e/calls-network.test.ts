import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cdrLine, expectedFigures, type RawCall, randomCalls } from "../support/call-logs.ts";
import { plainSpaces } from "../support/typography.ts";
import { axeLog, browserAvailable, type LiveServer, launchBrowser, startLiveServer } from "./support/browser.ts";

/**
 * A network head's phone page, from a blank install (issue #13): the first administrator, a network
 * and two sites made through the pages, a call log imported on each site through its page; the
 * network's page then adds up both sites — the numbers a person reads are computed here from the
 * fixture's raw calls — and shows no line of its sites, while a site's page still lists its lines.
 */
describe.skipIf(!browserAvailable)("a network's phone figures in Chromium, from a blank install", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  const { violations, audit } = axeLog();
  const PASSWORD = "une phrase de passe solide";
  const PERIOD = "from=2026-01-01&to=2026-03-31";
  let network = "";
  const sites: Record<string, string> = {};
  const calls: Record<string, RawCall[]> = {
    "Mairie de Lens": randomCalls(31, 600, ["0321000000", "file-accueil"]).map((x) => ({ ...x, inbound: true })),
    "Mairie d'Arras": randomCalls(32, 450, ["0321999999", "file-etat-civil", "file-urbanisme"]).map((x) => ({ ...x, inbound: true })),
  };

  // Playwright's innerText, not the DOM's: it keeps the breaks between blocks that a reader sees.
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is asserted
  const text = async () => plainSpaces(await page.locator("main").innerText()).replace(/\s+/g, " ");
  const percent = (share: number) => `${(Math.round(share * 1000) / 10).toLocaleString("fr-FR")} %`;
  const number = (n: number) => plainSpaces(n.toLocaleString("fr-FR"));

  async function createOrg(fields: Record<string, string>): Promise<string> {
    await page.goto(`${server.url}/organisations/new`);
    await page.fill("#name", fields.name ?? "");
    await page.selectOption("#kind", fields.kind ?? "site");
    if (fields.parentId) await page.selectOption("#parentId", fields.parentId);
    await page.getByRole("button", { name: "Créer l'organisation" }).click();
    await page.waitForURL(/\/organisations\/[0-9a-f-]{36}\?ok=org\.created/);
    return new URL(page.url()).pathname.split("/")[2] ?? "";
  }

  beforeAll(async () => {
    // The imports are read and recorded by the job queue's worker, as beside every server.
    server = await startLiveServer({}, 0, { worker: true });
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("creates the first administrator, then a network and two sites through the pages", async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Nadia Réseau");
    await page.fill("#email", "nadia@reseau.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    network = await createOrg({ name: "Réseau du Pas-de-Calais", kind: "network" });
    for (const name of Object.keys(calls)) sites[name] = await createOrg({ name, kind: "site", parentId: network });
    await page.goto(`${server.url}/organisations`);
    await expect(text()).resolves.toMatch(
      /Réseau du Pas-de-Calais.*Mairie d'Arras.*Mairie de Lens|Réseau du Pas-de-Calais.*Mairie de Lens.*Mairie d'Arras/,
    );
  });

  it("imports a call log on each site through its page", async () => {
    for (const [name, mine] of Object.entries(calls)) {
      await page.goto(`${server.url}/organisations/${sites[name]}/calls/import`);
      await audit(page);
      const file = `${mine.map((x, i) => cdrLine(x, i)).join("\n")}\n`;
      await page.setInputFiles("#file", { name: "Master.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
      await page.getByRole("button", { name: "Envoyer le fichier" }).click();
      await page.waitForURL(/\/calls\/imports\//);
      // A clean file is recorded as soon as it is read; the page reloads itself until then.
      await page.getByText(`${number(mine.length)} appels ajoutés, 0 déjà connu (ignoré)`).waitFor({ timeout: 30_000 });
    }
  });

  it("shows the network the sum of both sites, and no line of its sites", async () => {
    await page.goto(`${server.url}/organisations/${network}/calls?${PERIOD}`);
    await audit(page);
    const all = Object.values(calls).flat();
    const want = expectedFigures(all, 25);
    const body = await text();
    expect(body).toContain(
      `${percent(want.answered / want.offered)} taux de décroché (${number(want.answered)} appels décrochés sur ${number(want.offered)})`,
    );
    expect(body).toContain(`${percent(want.within / want.offered)} des appels décrochés en 5 sonneries au plus`);
    expect(body).toContain(`${number(want.abandoned)} appels abandonnés avant décroché`);
    // One row per site, with its calls.
    const rows = await page.locator("table", { hasText: "Par organisation rattachée" }).locator("tbody tr").allInnerTexts();
    expect(rows.map((r) => plainSpaces(r).replace(/\s+/g, " ").trim())).toEqual(
      Object.entries(calls)
        .sort(([a], [b]) => a.localeCompare(b, "fr"))
        .map(([name, mine]) => {
          const e = expectedFigures(mine, 25);
          return `${name} ${number(e.offered)} ${number(e.answered)} ${percent(e.answered / e.offered)}`;
        }),
    );
    // No line of any site: neither the table nor a line's name.
    await expect(page.locator("table", { hasText: "Par ligne ou file d'attente" }).count()).resolves.toBe(0);
    for (const line of ["0321000000", "file-accueil", "file-etat-civil"]) expect(body).not.toContain(line);
    expect(body).toContain("Le détail par ligne ou file d'attente se lit sur la page de chaque site.");
    await page.screenshot({ path: "docs/screenshots/reseau-appels.png", fullPage: true });
    // At a phone's width nothing overflows the screen.
    await page.setViewportSize({ width: 390, height: 800 });
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("still lists a site's own lines on its page", async () => {
    const name = "Mairie d'Arras";
    const mine = calls[name] ?? [];
    await page.goto(`${server.url}/organisations/${sites[name]}/calls?${PERIOD}`);
    await audit(page);
    const rows = await page.locator("table", { hasText: "Par ligne ou file d'attente" }).locator("tbody tr th").allTextContents();
    expect(rows.map((r) => r.trim())).toEqual(["0321999999", "file-etat-civil", "file-urbanisme"]);
    const want = expectedFigures(mine, 25);
    await expect(text()).resolves.toContain(`(${number(want.answered)} appels décrochés sur ${number(want.offered)})`);
  });

  it("finds no accessibility violation on any page visited", () => {
    expect(violations).toEqual({});
  });
});
