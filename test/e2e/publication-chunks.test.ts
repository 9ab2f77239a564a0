import { sql } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../src/app/modules.ts";
import { enqueue, runDueJobs } from "../../src/modules/jobs/jobs.service.ts";
import { plainSpaces } from "../support/typography.ts";
import { axeLog, browserAvailable, type LiveServer, launchBrowser, startLiveServer, typeInAutofocused } from "./support/browser.ts";

/**
 * The nightly publication seen by the staff, from a blank install (issue #13): the first administrator
 * builds a network and two sites through the pages, the night publishes them, a letter is registered at
 * one site and published at once; the next night republishes only what changed — the other site keeps
 * its date — and the staff page follows the run's chunk jobs as the queue runs them.
 */
describe.skipIf(!browserAvailable)("publication by chunks, from a blank install", () => {
  let server: LiveServer;
  let base = "";
  let browser: Browser;
  let page: Page;
  let network = "";
  let nancy = "";
  let metz = "";
  let metzDate = "";
  const { violations, audit } = axeLog();
  const PASSWORD = "Réseau du Grand Est, publication 2026";

  const main = async () => plainSpaces((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");
  /** The queue as a server's worker runs it: one pass (what is due now), or until nothing is left. */
  const workerPass = () => runDueJobs(server.database.db);
  async function night(): Promise<void> {
    await enqueue(server.database.db, { name: "publication.refresh", payload: {} });
    for (let i = 0; i < 10; i++) if ((await workerPass()).done === 0) break;
  }
  async function publishedAt(orgId: string): Promise<number> {
    const { rows } = await sql<{ at: Date }>`select published_at as at from publication_state where org_id = ${orgId}`.execute(
      server.database.db,
    );
    return new Date(rows[0]?.at ?? 0).getTime();
  }

  beforeAll(async () => {
    server = await startLiveServer();
    base = server.url;
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function createOrg(name: string, kind: "network" | "site", parentId?: string): Promise<string> {
    await page.goto(`${base}/organisations/new${parentId ? `?parentId=${parentId}` : ""}`);
    await page.fill("#name", name);
    await page.selectOption("#kind", kind);
    if (parentId) expect(await page.inputValue("#parentId")).toBe(parentId);
    await page.getByRole("button", { name: "Créer l'organisation" }).click();
    await page.waitForURL(/ok=org\.created/);
    return new URL(page.url()).pathname.split("/")[2] ?? "";
  }

  it("creates the first account, a network and two sites through the pages; nothing is published yet", async () => {
    await page.goto(base);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Hélène Martin");
    await page.fill("#email", "qualite@france-services-grand-est.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    network = await createOrg("France services Grand Est", "network");
    nancy = await createOrg("France services Nancy", "site", network);
    metz = await createOrg("France services Metz", "site", network);
    await page.goto(`${base}/organisations/${nancy}/publication`);
    await audit(page);
    expect(await main()).toContain("Les résultats de cette organisation n'ont pas encore été publiés.");
  });

  it("publishes everyone the first night, and the staff page follows the run's chunks", async () => {
    await enqueue(server.database.db, { name: "publication.refresh", payload: {} });
    // The first pass plans the run; its chunk job waits for the next pass.
    expect((await workerPass()).done).toBe(1);
    await page.goto(`${base}/organisations/${network}/publication`);
    await audit(page);
    const underWay = await main();
    expect(underWay).toContain("Publication en cours");
    expect(underWay).toContain("0 lot terminé sur 1 (3 organisations à publier)");
    await page.screenshot({ path: "docs/screenshots/publication-en-cours.png", fullPage: true });

    expect((await workerPass()).done).toBe(1);
    await page.reload();
    const finished = await main();
    expect(finished).not.toContain("Publication en cours");
    expect(finished).toMatch(/Dernière publication le \d{1,2}(er)? [a-zéû]+ 20\d\d à \d{1,2} h( \d\d)?\./);
    expect(finished).toContain("1 lot, 3 organisations ; terminée.");
    await page.goto(`${base}/organisations/${metz}/publication`);
    metzDate = (await page.locator("#last-publication").textContent()) ?? "";
    expect(metzDate).toMatch(/^Dernière publication le /);
  });

  it("publishes a letter registered at Nancy at once; the next night republishes only Nancy's network, not Metz", async () => {
    const metzBefore = await publishedAt(metz);
    await page.goto(`${base}/organisations/${nancy}/requests/new`);
    await typeInAutofocused(page, "subject", "Aide pour une demande de carte grise");
    await page.locator('label[for="channel-letter"]').click();
    await page.fill("#requesterName", "Camille Roux");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/ok=request\.created/);

    await page.goto(`${base}/organisations/${nancy}/publication`);
    expect(await main()).toContain("Des chiffres ont changé depuis");
    await page.getByRole("button", { name: "Publier maintenant" }).click();
    await page.waitForURL(/ok=publication\.refreshed/);
    await audit(page);
    const published = await main();
    expect(published).toContain("Les résultats publiés ont été recalculés.");
    expect(published).toContain("Rien n'a changé depuis : la page publique est à jour.");
    await page.screenshot({ path: "docs/screenshots/publication-site-publie.png", fullPage: true });

    // The public page, as anyone reads it, counts the letter.
    const visitor = await (await browser.newContext({ locale: "fr-FR", javaScriptEnabled: false })).newPage();
    await visitor.goto(`${base}/public/organisations/${nancy}/results`);
    const results = plainSpaces((await visitor.locator("main").textContent()) ?? "").replace(/\s+/g, " ");
    expect(results).toMatch(/Demandes reçues : 1(?!\d)/);
    await visitor.screenshot({ path: "docs/screenshots/publication-page-publique-nancy.png", fullPage: true });
    await visitor.context().close();

    // The night: the network changed with Nancy and is published; Metz did not change and keeps its date.
    const networkBefore = await publishedAt(network);
    await night();
    expect(await publishedAt(network)).toBeGreaterThan(networkBefore);
    expect(await publishedAt(metz)).toBe(metzBefore);
    await page.goto(`${base}/organisations/${metz}/publication`);
    expect(await page.locator("#last-publication").textContent()).toBe(metzDate);
    await page.goto(`${base}/organisations/${network}/publication`);
    const networkPage = await main();
    expect(networkPage).toContain("1 lot, 1 organisation ; terminée.");
    expect(networkPage).toContain("Rien n'a changé depuis");
    await page.screenshot({ path: "docs/screenshots/publication-reseau.png", fullPage: true });
  });

  it("is readable on a phone, and axe finds nothing on the pages met", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/organisations/${network}/publication`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: "docs/screenshots/publication-reseau-telephone.png", fullPage: true });
    expect(violations).toEqual({});
  });
});
