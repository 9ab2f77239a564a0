import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
import { createOrganisation } from "../../src/modules/organisations/organisations.service.ts";
import { createSurvey } from "../../src/modules/surveys/surveys.service.ts";
import { type AxeViolation, axeViolations, browserAvailable, type LiveServer, launchBrowser, startLiveServer } from "./support/browser.ts";

/** The annual survey answered by a member of the public on a phone with no JavaScript; axe on each page. */
describe.skipIf(!browserAvailable)("answering a satisfaction survey in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let url = "";
  const violations: Record<string, AxeViolation[]> = {};

  beforeAll(async () => {
    server = await startLiveServer();
    const db = server.database.db;
    const admin = await createInstanceAdmin(db, { email: "admin@mairie.fr", displayName: "Admin", password: "une phrase de passe solide" });
    const actor = { accountId: admin.id, email: admin.email, displayName: "Admin", instanceAdmin: true, grants: [] };
    const site = await createOrganisation(db, actor, {
      name: "Mairie de Lyon",
      kind: "site",
      parentId: undefined,
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
      addressStreet: undefined,
      addressPostcode: undefined,
      addressCity: undefined,
      siret: undefined,
    });
    const survey = await createSurvey(db, actor, site.id, { template: "annual" });
    url = `${server.url}/s/${site.id}/${survey.id}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("weighs under 50 KB on the wire, everything included", async () => {
    const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    let bytes = 0;
    cdp.on("Network.loadingFinished", (e: { encodedDataLength: number }) => {
      bytes += e.encodedDataLength;
    });
    await page.goto(url, { waitUntil: "networkidle" });
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes).toBeLessThan(50_000);
    await context.close();
  });

  it("is answered without JavaScript on a phone, says what is missing, and thanks", async () => {
    const phone = await (
      await browser.newContext({ javaScriptEnabled: false, locale: "fr-FR", viewport: { width: 375, height: 740 } })
    ).newPage();
    const checker = await (await browser.newContext({ locale: "fr-FR", viewport: { width: 375, height: 740 } })).newPage();
    const response = await phone.goto(url);
    expect(response?.status()).toBe(200);
    await checker.goto(url);
    const found = await axeViolations(checker);
    if (found.length) violations.form = found;
    // Sent with nothing: the required question says so.
    await phone.screenshot({ path: "docs/screenshots/enquete-telephone.png" });
    await phone.getByRole("button", { name: "Envoyer mon avis" }).click();
    await expect(phone.locator("main").textContent()).resolves.toContain("Veuillez répondre à cette question.");
    await phone.locator('label[for="q-overall-5"]').click();
    await phone.getByRole("button", { name: "Envoyer mon avis" }).click();
    await phone.waitForURL(/merci/);
    await checker.goto(phone.url());
    const thanks = await axeViolations(checker);
    if (thanks.length) violations.thanks = thanks;
    expect(violations).toEqual({});
  });
});
