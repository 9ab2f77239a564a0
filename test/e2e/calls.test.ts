import { sql } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
import { SYSTEM_ACTOR } from "../../src/modules/audit/audit.service.ts";
import { claimImport, createImport } from "../../src/modules/calls/calls.service.ts";
import { gridFor } from "../../src/modules/mystery/grids.ts";
import { cdrLine, randomCalls } from "../support/call-logs.ts";
import {
  axeLog,
  browserAvailable,
  createSiteThroughPages,
  type LiveServer,
  launchBrowser,
  signIn,
  startLiveServer,
} from "./support/browser.ts";

/**
 * Phone figures and mystery tests as people use them in Chromium: a referent imports a PBX log
 * with a faulty line and follows the progress page, reads the indicators and the heat map; a tester
 * fills a mystery-call grid on a phone without JavaScript. axe checks every page met.
 */
describe.skipIf(!browserAvailable)("call logs and mystery tests in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  let site = "";
  const { violations, audit } = axeLog();
  const PASSWORD = "une phrase de passe solide";

  beforeAll(async () => {
    // The imports are read and recorded by the job queue's worker, as beside every server.
    server = await startLiveServer({}, 0, { worker: true });
    await createInstanceAdmin(server.database.db, { email: "admin@mairie.fr", displayName: "Admin", password: PASSWORD });
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    await signIn(page, server.url, "admin@mairie.fr", PASSWORD);
    site = await createSiteThroughPages(page, server.url, "Mairie de Lille");
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("imports a Master.csv: the progress page follows the reading, the faulty line is listed, the valid ones recorded", async () => {
    const calls = randomCalls(5, 3000, ["file-accueil", "0320000000"]);
    const lines = calls.map((c, i) => cdrLine(c, i));
    lines.splice(7, 0, lines[0]?.replace(/"2026-\d\d-\d\d /, '"2026-13-01 ') ?? "");
    await page.goto(`${server.url}/organisations/${site}/calls/import`);
    await audit(page);
    await page.setInputFiles("#file", { name: "Master.csv", mimeType: "text/csv", buffer: Buffer.from(`${lines.join("\n")}\n`) });
    await page.getByRole("button", { name: "Envoyer le fichier" }).click();
    await page.waitForURL(/\/calls\/imports\//);
    // The page says where the job of the queue stands: waiting for the worker, reading, or already read.
    const first = (await page.locator("main").textContent()) ?? "";
    expect(first.replace(/\s+/g, " ")).toMatch(/État\s?: (en file d'attente|lecture en cours|lu, en attente de décision)\./);
    // The Refresh header brings the page back until the reading is over (axe runs once it holds still).
    await page.getByText("lu, en attente de décision").waitFor({ timeout: 30_000 });
    await audit(page);
    const rows = await page.locator("table", { hasText: "Lignes fautives" }).locator("tbody tr td:first-child").allTextContents();
    expect(rows.map((r) => r.trim())).toEqual(["8"]);
    await page.getByRole("button", { name: /^Enregistrer les .* lignes valides$/ }).click();
    await page.waitForURL(/ok=calls\.imported/);
    await expect(page.locator("main").textContent()).resolves.toMatch(/appels ajoutés, 0 déjà connu \(ignoré\)/);
    await page.getByRole("link", { name: "Voir les indicateurs d'accueil téléphonique" }).click();
    await page.goto(`${server.url}/organisations/${site}/calls?from=2026-01-01&to=2026-03-31`);
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/appels-indicateurs.png", fullPage: true });
    await expect(page.locator("figure svg").count()).resolves.toBe(2);
    await expect(page.locator("main").textContent()).resolves.toContain("taux de décroché");
  });

  it("shows the progress of a reading with a link that stops the reloads", async () => {
    // A reading under way, as a large file leaves it for minutes (a small one is over before the page shows).
    const db = server.database.db;
    const id = await createImport(db, SYSTEM_ACTOR, site, { fileName: "Master-2025.csv", format: "asterisk", bytes: 1_239_000_000 });
    await claimImport(db, site, id);
    // Claimed by no process this machine knows (another app server): it is followed, not shown as interrupted.
    await sql`update call_imports set bytes_read = 421000000, rows_read = 1700000, runner = null where id = ${id}`.execute(db);
    await page.goto(`${server.url}/organisations/${site}/calls/imports/${id}`);
    await page.getByRole("link", { name: "Arrêter la mise à jour automatique" }).click();
    await page.waitForURL(/auto=0/);
    // Without the reloads the page holds still for axe.
    await expect(page.locator("progress").getAttribute("value")).resolves.toBe("33");
    await expect(page.getByRole("link", { name: "Actualiser" }).count()).resolves.toBe(1);
    await audit(page);
  });

  it("lets a tester fill a mystery-call grid on a phone without JavaScript", async () => {
    await page.goto(`${server.url}/organisations/${site}/mystery`);
    await audit(page);
    await page.fill("#title", "Appels mystère du printemps");
    await page.fill("#startsOn", "2026-03-01");
    await page.fill("#endsOn", "2026-05-31");
    await page.locator('label[for="channel-phone"]').click();
    await page.locator(`label[for="site-${site}"]`).click();
    await page.getByRole("button", { name: "Créer la campagne" }).click();
    await page.waitForURL(/ok=mystery\.created/);
    const campaign = new URL(page.url()).pathname.split("/")[4] ?? "";
    await audit(page);

    const phone = await browser.newContext({ javaScriptEnabled: false, locale: "fr-FR", viewport: { width: 375, height: 740 } });
    const p = await phone.newPage();
    await p.goto(`${server.url}/login`);
    await p.fill("#email", "admin@mairie.fr");
    await p.fill("#password", PASSWORD);
    await p.getByRole("button", { name: "Se connecter" }).click();
    await p.goto(`${server.url}/organisations/${site}/mystery/${campaign}/tests/new`);
    // Nothing wider than the phone's screen.
    await expect(p.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(375);
    await p.fill("#testedOn", "2026-04-02");
    await p.fill("#tester", "Camille");
    const criteria = gridFor("phone").criteria;
    for (const [i, c] of criteria.entries()) await p.locator(`label[for="c_${c.id}-${i === 0 ? "no" : "yes"}"]`).click();
    await p.getByRole("button", { name: "Enregistrer le test" }).click();
    await p.waitForURL(/ok=mystery\.test/);
    await expect(p.locator("main").textContent()).resolves.toContain(
      `score global : ${Math.round(((criteria.length - 1) / criteria.length) * 100)} / 100`,
    );
    await phone.close();
    // axe needs a script: the form is checked again at phone width with it.
    const checker = await (await browser.newContext({ locale: "fr-FR", viewport: { width: 375, height: 740 } })).newPage();
    await checker.goto(`${server.url}/login`);
    await checker.fill("#email", "admin@mairie.fr");
    await checker.fill("#password", PASSWORD);
    await checker.getByRole("button", { name: "Se connecter" }).click();
    await checker.goto(`${server.url}/organisations/${site}/mystery/${campaign}/tests/new?channel=phone`);
    await audit(checker);
    await checker.screenshot({ path: "docs/screenshots/test-mystere-telephone.png", fullPage: true });
    await checker.goto(`${server.url}/organisations/${site}/mystery/${campaign}`);
    await audit(checker);
  });

  it("finds no accessibility violation on any page visited", () => {
    expect(violations).toEqual({});
  });
});
