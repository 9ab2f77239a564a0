import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
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
 * The loop of improvement as a referent goes through it in Chromium: a self-assessment filled in
 * for a site with the keyboard and the mouse, evidence attached, signed; a plan built from the
 * suggested levers, moved on the board; the annual review read, and its PDF read back as text.
 */
describe.skipIf(!browserAvailable)("self-assessment, action plan and annual review in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  let site = "";
  let campaignUrl = "";
  const year = new Date().getFullYear();
  const { violations, audit } = axeLog();
  const PASSWORD = "une phrase de passe solide";
  const dir = mkdtempSync(join(tmpdir(), "vigie-e2e-review-"));

  beforeAll(async () => {
    server = await startLiveServer();
    await createInstanceAdmin(server.database.db, { email: "referente@mairie.fr", displayName: "Référente", password: PASSWORD });
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    await signIn(page, server.url, "referente@mairie.fr", PASSWORD);
    site = await createSiteThroughPages(page, server.url, "Mairie de Colmar");
    await page.goto(`${server.url}/organisations/${site}/commitments`);
    await page.selectOption("#frameworkId", "sp+2021");
    await page.getByRole("button", { name: "Enregistrer le référentiel" }).click();
    await page.waitForURL(/framework\.adopted/);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await browser?.close();
    await server?.close();
  });

  it("fills in a self-assessment for the site, attaches evidence and signs it", async () => {
    await page.goto(`${server.url}/organisations/${site}`);
    await page.getByRole("link", { name: "Amélioration continue et bilan annuel" }).click();
    await page.getByRole("link", { name: "Auto-évaluations" }).click();
    await audit(page);
    await page.fill("#year", String(year));
    await page.getByRole("button", { name: "Ouvrir la campagne" }).click();
    await page.waitForURL(/ok=assessment\.created/);
    campaignUrl = page.url().split("?")[0] ?? "";
    await audit(page);
    for (let index = 1; index <= 9; index++) {
      await page.goto(`${campaignUrl}/commitments/${index}`);
      if (index === 1) await audit(page);
      const count = await page.locator('input[name$="-id"]').count();
      for (let r = 1; r <= count; r++) {
        // Commitment 1 is the weak point; commitment 2 partly met; the rest met.
        const status = index === 1 ? "not_met" : index === 2 ? "partly" : "met";
        await page.locator(`label[for="r${r}-status-${status}"]`).click();
      }
      if (index === 1) await page.fill("#r1-comment", "Pas de panneau d'accueil à l'entrée.");
      await page.getByRole("button", { name: "Enregistrer les réponses" }).click();
      await page.waitForURL(/ok=assessment\.saved/);
    }
    await page.goto(`${campaignUrl}/commitments/1`);
    await page.setInputFiles("#file", { name: "photo-hall.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 preuve") });
    await page.getByRole("button", { name: "Joindre" }).click();
    await page.waitForURL(/ok=assessment\.evidence_added/);
    await expect(page.locator("main").textContent()).resolves.toContain("photo-hall.pdf");
    await audit(page);
    await page.goto(campaignUrl);
    await expect(page.locator("main").textContent()).resolves.toMatch(/Exigences renseignées : (\d+) sur \1/);
    await page.getByRole("button", { name: "Signer et verrouiller" }).click();
    await page.waitForURL(/ok=assessment\.signed/);
    await expect(page.locator("main").textContent()).resolves.toContain("Campagne signée");
    await audit(page);
  });

  it("builds the plan from the levers suggested for the weakest commitments, and moves a card on the board", async () => {
    await page.goto(campaignUrl);
    await page.getByRole("link", { name: "Construire le plan d'actions" }).click();
    await audit(page);
    const weakest = (await page.locator("main ul").nth(1).textContent()) ?? "";
    expect(weakest).toContain("Dans le respect mutuel");
    const boxes = page.locator('input[name="leverIds"]:not([disabled])');
    expect(await boxes.count()).toBeGreaterThan(3);
    for (let i = 0; i < 3; i++) {
      const id = await boxes.nth(i).getAttribute("id");
      await page.locator(`label[for="${id}"]`).click();
    }
    await page.fill("#owner", "Accueil");
    await page.getByRole("button", { name: "Ajouter les leviers cochés au plan" }).click();
    await page.waitForURL(/ok=actions\.levers/);
    await audit(page);
    await expect(page.locator("tbody").first().textContent()).resolves.toContain("3");
    await page.getByRole("link", { name: "Tableau", exact: true }).click();
    await audit(page);
    const first = page.locator('select[name="status"]').first();
    await first.selectOption("doing");
    await page.getByRole("button", { name: "Déplacer" }).first().click();
    await page.waitForURL(/board\?ok=action\.updated/);
    await expect(page.locator("#col-doing").textContent()).resolves.toContain("En cours (1)");
    await page.goto(`${server.url}/organisations/${site}/actions/import`);
    await audit(page);
    await page.goto(`${server.url}/organisations/${site}/staff`);
    await audit(page);
    await page.goto(`${server.url}/organisations/${site}/incidents`);
    await page.fill("#description", "La borne d'accueil est en panne.");
    await page.getByRole("button", { name: "Envoyer le signalement" }).click();
    await page.waitForURL(/ok=incident\.filed/);
    await audit(page);
  });

  it("generates the annual review, on the page and as a PDF that reads back", async () => {
    await page.goto(`${server.url}/organisations/${site}/review?year=${year}`);
    await audit(page);
    const main = (await page.locator("main").textContent()) ?? "";
    for (let n = 1; n <= 9; n++) expect(main).toContain(`Engagement ${n} — `);
    expect(main).toContain("Aucune donnée");
    await page.screenshot({ path: "docs/screenshots/bilan-annuel.png" });
    const href = await page.getByRole("link", { name: "Télécharger le bilan (PDF)" }).getAttribute("href");
    const response = await page.request.get(`${server.url}${href}`);
    expect(response.headers()["content-type"]).toBe("application/pdf");
    const file = join(dir, "bilan.pdf");
    writeFileSync(file, await response.body());
    const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" });
    expect(text).toContain("Mairie de Colmar");
    for (let n = 1; n <= 9; n++) expect(text).toContain(`Engagement ${n} — `);
    execFileSync("pdftoppm", ["-png", "-r", "30", "-f", "1", "-l", "1", file, join(dir, "p")]);
  });

  it("finds no accessibility violation on any page visited", () => {
    expect(violations).toEqual({});
  });
});
