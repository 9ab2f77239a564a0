import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
import { createOrganisation } from "../../src/modules/organisations/organisations.service.ts";
import { createSurvey } from "../../src/modules/surveys/surveys.service.ts";
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

/**
 * A new referent's journey: a survey built from a template on the staff pages, the counter kiosk
 * used on a tablet that loses its network, an invitation answered from a phone, then the analysis
 * page; axe on every page.
 */
describe.skipIf(!browserAvailable)("running a survey from the staff pages in Chromium", () => {
  const PASSWORD = "une phrase de passe solide";
  let server: LiveServer;
  let browser: Browser;
  const violations: Record<string, AxeViolation[]> = {};
  const check = async (name: string, page: import("playwright-core").Page) => {
    const found = await axeViolations(page);
    if (found.length) violations[name] = found;
  };
  /** Links are written with the configured address; the test server listens elsewhere. */
  const local = (href: string) => `${server.url}${new URL(href).pathname}${new URL(href).search}`;

  beforeAll(async () => {
    server = await startLiveServer();
    await createInstanceAdmin(server.database.db, { email: "referente@mairie.fr", displayName: "Référente", password: PASSWORD });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("builds, distributes, collects on the kiosk offline and by invitation, and reads the results", async () => {
    const staff = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    await signIn(staff, server.url, "referente@mairie.fr", PASSWORD);
    const orgId = await createSiteThroughPages(staff, server.url, "Mairie de Poissy");

    // From the on-the-spot template, at the counter.
    await staff.goto(`${server.url}/organisations/${orgId}/surveys`);
    await staff.selectOption("#template", "on-the-spot");
    await staff.selectOption("#channel", "counter");
    await staff.getByRole("button", { name: "Créer l'enquête" }).click();
    await staff.waitForURL(/diffusion\?ok=survey\.created/);
    await check("diffusion", staff);
    const surveyId = /surveys\/([0-9a-f-]{36})/.exec(staff.url())?.[1] ?? "";
    await expect(staff.locator(".vigie-qr svg").count()).resolves.toBe(1);
    const kiosk = local((await staff.locator('a[href*="/borne/"]').first().getAttribute("href")) ?? "");

    // The tablet at the counter: the network drops, taps are kept, then sent when it comes back.
    const tabletContext = await browser.newContext({ locale: "fr-FR", viewport: { width: 1024, height: 768 } });
    const tablet = await tabletContext.newPage();
    await tablet.goto(kiosk);
    await check("borne", tablet);
    await tabletContext.setOffline(true);
    for (const face of ["Content", "Content", "Mécontent"]) {
      await tablet.getByRole("button", { name: face, exact: true }).click();
      await expect(tablet.getByText("Merci pour votre avis !").first().isVisible()).resolves.toBe(true);
      await tablet.getByRole("button", { name: "Neutre", exact: true }).waitFor({ state: "visible", timeout: 10_000 });
    }
    await expect(tablet.locator("[data-pending]").textContent()).resolves.toBe("3 avis en attente d'envoi");
    await tabletContext.setOffline(false);
    await tablet.waitForFunction(() => document.querySelector("[data-pending]")?.textContent === "", null, { timeout: 40_000 });

    // Invitations with the answer e-mails of requests.
    await staff.locator(`label[for="inviteAfterAnswer"]`).click();
    await staff.getByRole("button", { name: "Enregistrer les réglages" }).click();
    await staff.waitForURL(/ok=survey\.settings/);
    const db = server.database.db;
    const admin = await db.selectFrom("accounts").select(["id", "email", "display_name"]).executeTakeFirstOrThrow();
    const actor = { accountId: admin.id, email: admin.email, displayName: admin.display_name, instanceAdmin: true, grants: [] };
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
    const { registerRequest, changeStatus } = await import("../../src/modules/requests/requests.service.ts");
    const registered = await registerRequest(
      db,
      orgId,
      { kind: "request", channel: "email", receivedOn: today, subject: "Inscription scolaire", requesterEmail: "camille@example.org" },
      { source: "agent", author: { accountId: admin.id, label: "Référente" } },
    );
    await changeStatus(
      db,
      actor,
      orgId,
      registered.request.id,
      { status: "answered", message: "L'inscription est faite.", pauseClock: false, version: registered.request.version },
      { baseUrl: "https://vigie.poissy.example" },
    );
    const outbox = await db.selectFrom("outbox").select("body").where("kind", "=", "answer").executeTakeFirstOrThrow();
    const invitation = local(/https:\/\/vigie\.poissy\.example\/s\/\S+/.exec(outbox.body)?.[0] ?? "");
    const phone = await (
      await browser.newContext({ javaScriptEnabled: false, locale: "fr-FR", viewport: { width: 375, height: 740 } })
    ).newPage();
    await phone.goto(invitation);
    await phone.locator('label[for="q-overall-3"]').click();
    await phone.getByRole("button", { name: "Envoyer mon avis" }).click();
    await phone.waitForURL(/merci/);
    await phone.goto(invitation);
    await expect(phone.locator("main").textContent()).resolves.toContain("Cette invitation a déjà servi");

    // The analysis page: 4 answers, 3 satisfied.
    await staff.goto(`${server.url}/organisations/${orgId}/surveys/${surveyId}`);
    await check("résultats", staff);
    const main = (await staff.locator("main").textContent()) ?? "";
    expect(main).toContain("4 réponses");
    expect(main).toContain("Taux de satisfaction\u00a0: 75\u202f%");
    await staff.screenshot({ path: "docs/screenshots/enquete-resultats.png", fullPage: false });
    await staff.goto(`${server.url}/organisations/${orgId}/surveys/${surveyId}/questionnaire`);
    await check("questionnaire", staff);
    await staff.goto(`${server.url}/organisations/${orgId}/surveys/${surveyId}/commentaires`);
    await check("commentaires", staff);
    expect(violations).toEqual({});
  });
});
