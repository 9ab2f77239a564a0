import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineJob, enqueue, wakeWorkers } from "../../src/modules/jobs/jobs.service.ts";
import { wideXlsx } from "../support/hostile-files.ts";
import {
  type AxeViolation,
  axeViolations,
  browserAvailable,
  createSiteThroughPages,
  type LiveServer,
  launchBrowser,
  startLiveServer,
} from "./support/browser.ts";

/**
 * Issue #19, item 1, as a person meets it in Chromium, from a blank install: the first administrator
 * creates their account, then a site, then uploads a hostile workbook to the register import (a cell
 * in column XFD on each of 2,000 rows, which used to take the server down): the page says why it is
 * refused, and the next, ordinary file is read, checked, and registered by the job queue while its
 * page follows it.
 */

/**
 * A job that keeps the worker busy until the test lets it go: the import committed meanwhile waits
 * in the queue, so the page is seen « en file » whatever the machine's speed.
 */
let holding: { started: () => void; release: Promise<void> } | undefined;
const holdJob = defineJob("test.hold-worker", z.object({}), async () => {
  holding?.started();
  await holding?.release;
});
describe.skipIf(!browserAvailable)("a hostile upload in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const violations: Record<string, AxeViolation[]> = {};
  const PASSWORD = "une phrase de passe solide";

  async function audit(p: Page, step: string) {
    const found = await axeViolations(p);
    if (found.length) violations[step] = found;
  }
  const main = async () => ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");

  beforeAll(async () => {
    server = await startLiveServer({}, 0, { worker: true });
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    page.on("pageerror", (error) => {
      // The DSFR header script fails on every page of main today (no .fr-header__menu-links to copy
      // the account links into); the `shell` branch fixes it. That one error only is set aside here.
      const knownHeaderBug = error.message.includes("reading 'innerHTML'") && (error.stack ?? "").includes("dsfr.module.min.js");
      if (!knownHeaderBug) pageErrors.push(`${page.url()}: ${error.message}`);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  let site = "";
  it("creates the first administrator on the set-up page, then a site", async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await audit(page, "setup");
    await page.fill("#displayName", "Claire Dubois");
    await page.fill("#email", "claire.dubois@mairie-lyon.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    expect(await main()).toContain("Bienvenue");
    site = await createSiteThroughPages(page, server.url, "Mairie de Lyon");
    expect(await main()).toContain("Mairie de Lyon");
  });

  it("refuses the workbook with a value in column XFD, and says why", async () => {
    await page.goto(`${server.url}/organisations/${site}/requests/import`);
    await audit(page, "import");
    await page.setInputFiles("#file", { name: "registre-2027.xlsx", mimeType: "application/octet-stream", buffer: wideXlsx() });
    await page.getByRole("button", { name: "Lire le fichier" }).click();
    await page.waitForLoadState("load");
    const text = await main();
    expect(text).toContain("Le fichier a une valeur au-delà de la colonne 100 (ligne 1, colonne XFD) : 100 colonnes au plus.");
    // Still the upload form, ready for another file.
    await expect(page.locator("#file").count()).resolves.toBe(1);
    await audit(page, "import-refused");
    await page.screenshot({ path: "docs/screenshots/uploads-refused.png", fullPage: true });
  });

  it("then reads an ordinary register and shows the trial", async () => {
    const csv = [
      "Date de réception;Canal;Type;Objet;Nom",
      "30/04/2027;courrier;demande;Permis de construire;Anne Leroy",
      "03/05/2027;accueil;réclamation;Attente au guichet;Paul Martin",
    ].join("\r\n");
    await page.setInputFiles("#file", { name: "registre-2027.csv", mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });
    await page.getByRole("button", { name: "Lire le fichier" }).click();
    await page.waitForLoadState("load");
    expect(await main()).toContain("« registre-2027.csv » : 2 lignes à importer, 5 colonnes.");
    await audit(page, "mapping");
    await page.getByRole("button", { name: "Vérifier le fichier" }).click();
    await page.waitForLoadState("load");
    expect(await main()).toContain("2 demandes seront enregistrées en une fois ; rien n'est encore écrit.");
    await audit(page, "trial");
    await page.screenshot({ path: "docs/screenshots/uploads-trial.png", fullPage: true });
  });

  it("registers the checked file through the job queue, the import's page following it to its report", async () => {
    let release = () => {};
    const started = new Promise<void>((resolve) => {
      holding = { started: resolve, release: new Promise<void>((done) => (release = done)) };
    });
    await enqueue(server.database.db, { name: holdJob.name, payload: {} });
    wakeWorkers();
    await started;
    await page.getByRole("button", { name: "Importer 2 demandes" }).click();
    await page.waitForURL(/\/requests\/imports\/[0-9a-f-]{36}$/);
    expect(await main()).toContain("État : en file.");
    expect(await main()).toContain("L'import attend son tour : aucune demande de ce fichier n'est encore enregistrée.");
    expect(await main()).toContain("La page se met à jour toute seule toutes les 2 secondes.");
    await audit(page, "import-queued");
    release();
    // The page reloads itself (Refresh header) until the report.
    await page.getByText("État : terminé.").waitFor({ timeout: 30_000 });
    const report = await main();
    expect(report).toMatch(/2 demandes enregistrées \(n° 2027-\d{6} à 2027-\d{6}\)/);
    expect(report).toContain("Aucune ligne n'était déjà importée.");
    expect(report).not.toContain("La page se met à jour");
    const lines = await page.locator("table", { hasText: "Demandes enregistrées" }).locator("tbody tr td:first-child").allTextContents();
    expect(lines.map((l) => l.trim())).toEqual(["2", "3"]);
    await audit(page, "import-done");
    await page.screenshot({ path: "docs/screenshots/uploads-import-done.png", fullPage: true });
  });

  it("met no page error and no accessibility violation", () => {
    expect(pageErrors, pageErrors.join("\n")).toEqual([]);
    expect(violations).toEqual({});
  });
});
