import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDay } from "../../src/kernel/time.ts";
import { runEscalation } from "../../src/modules/requests/escalation.service.ts";
import {
  assertNoPageErrors,
  axeViolations,
  browserAvailable,
  createSiteThroughPages,
  type LiveServer,
  launchBrowser,
  signIn,
  startLiveServer,
  typeInAutofocused,
  watchPageErrors,
} from "./support/browser.ts";

const plain = (text: string | null) => (text ?? "").replace(/[\u00a0\u202f]/g, " ").replace(/\s+/g, " ");
const PASSWORD = "une phrase de passe solide";
const DAY = 86_400_000;

/**
 * Issue #15, points 4 and 5, from a blank install: a town hall names the referent of its « État civil »
 * service; an e-mail received a month ago and never answered is passed to her by the daily job (badge,
 * history line), once even if the job runs twice; the indicators page gives the share of acknowledgements
 * sent in their delay and of late requests that had a holding reply before their deadline.
 */
describe.skipIf(!browserAvailable)("escalation of overdue requests and the Services Publics+ indicators, in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let page: Page;
  let site = "";
  let service = "";
  let freshUrl = "";
  const today = localDay("Europe/Paris", new Date());
  const monthAgo = localDay("Europe/Paris", new Date(Date.now() - 30 * DAY));
  const main = async () => plain(await page.locator("main").textContent());
  const audit = async (p: Page) => expect(await axeViolations(p)).toEqual([]);

  beforeAll(async () => {
    server = await startLiveServer();
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    watchPageErrors(page);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("creates the site, its service and the referent, and names her on the « Demandes en retard » page", async () => {
    await page.goto(server.url);
    await page.fill("#displayName", "Claire Fontaine");
    await page.fill("#email", "claire@mairie.example");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    site = await createSiteThroughPages(page, server.url, "Mairie de Dole");
    await page.goto(`${server.url}/organisations/${site}/commitments`);
    await page.selectOption("#frameworkId", "marianne-2016");
    await page.getByRole("button", { name: "Enregistrer le référentiel" }).click();
    await page.waitForURL(/framework\.adopted/);
    await page.goto(`${server.url}/organisations/new`);
    await page.fill("#name", "État civil");
    await page.selectOption("#kind", "service");
    await page.selectOption("#parentId", site);
    await page.getByRole("button", { name: "Créer l'organisation" }).click();
    await page.waitForURL(/ok=org\.created/);
    service = new URL(page.url()).pathname.split("/")[2] ?? "";
    await page.goto(`${server.url}/accounts/new`);
    await page.fill("#displayName", "Rose Lambert");
    await page.fill("#email", "rose@mairie.example");
    await page.fill("#password", PASSWORD);
    await page.selectOption("#role", "agent");
    await page.selectOption("#orgId", site);
    await page.getByRole("button", { name: "Créer le compte" }).click();
    await page.waitForURL(/ok=account\.created/);

    await page.goto(`${server.url}/organisations/${site}`);
    await page.getByRole("link", { name: "Demandes en retard" }).click();
    await audit(page);
    expect(await main()).toContain("une demande encore ouverte 2 jours ouvrés après son échéance est transmise au référent de son service");
    await page.fill("#workingDays", "0");
    await page.selectOption(`#referent_${service}`, { label: "Rose Lambert (rose@mairie.example)" });
    await page.getByRole("button", { name: "Enregistrer" }).click();
    expect(await main()).toContain("Indiquez un nombre entier de jours ouvrés, de 1 à 60.");
    await page.fill("#workingDays", "2");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/ok=escalation\.saved/);
    expect(await main()).toContain("Les règles de transmission des demandes en retard sont enregistrées.");
    expect(await page.inputValue("#workingDays")).toBe("2");
    await page.screenshot({ path: "docs/screenshots/escalade-regles.png", fullPage: true });
  });

  async function register(subject: string, receivedOn: string, serviceId?: string): Promise<string> {
    await page.goto(`${server.url}/organisations/${site}/requests/new`);
    await typeInAutofocused(page, "subject", subject);
    await page.locator('label[for="channel-email"]').click();
    await page.fill("#receivedOn", receivedOn);
    await page.fill("#requesterName", "Camille Roux");
    await page.fill("#requesterEmail", "camille.roux@usager.example");
    if (serviceId) await page.selectOption("#serviceId", serviceId);
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/ok=request\.created/);
    return page.url().split("?")[0] ?? "";
  }

  it("passes an e-mail a month overdue to the service's referent, once however often the daily job runs", async () => {
    await register("Copie d'acte de mariage", monthAgo, service);
    freshUrl = await register("Inscription à la cantine", today);
    // The acknowledgement of today's e-mail, sent today: within its week.
    await page.goto(freshUrl);
    await page.getByRole("link", { name: "Préparer l'accusé de réception" }).click();
    await page.getByRole("button", { name: "Envoyer", exact: true }).click();
    await page.waitForURL(/ok=letter\.sent/);

    const first = await runEscalation(server.database.db);
    expect(first.map((s) => [s.holderName, s.level])).toEqual([["Rose Lambert", 1]]);
    expect(await runEscalation(server.database.db)).toEqual([]);

    // The referent signs in and finds it in her own queue, with its badge and its history line.
    const rose = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    watchPageErrors(rose);
    await signIn(rose, server.url, "rose@mairie.example", PASSWORD);
    await rose.goto(`${server.url}/organisations/${site}/requests?queue=mine`);
    const row = rose.locator("tr", { hasText: "Copie d'acte de mariage" });
    expect(plain(await row.textContent())).toContain("Transmise au référent");
    expect(await rose.locator("tbody tr").count()).toBe(1);
    await rose.screenshot({ path: "docs/screenshots/escalade-liste.png", fullPage: true });
    await row.getByRole("link").first().click();
    expect(plain(await rose.locator("#escalation-badge").textContent())).toBe("Transmise au référent");
    const history = plain(await rose.locator("#history").textContent());
    expect(history).toMatch(/Retard — Vigie : Transmise à Rose Lambert \(référent de « État civil »\), \d+ jours ouvrés après l'échéance/);
    expect(history.match(/Transmise à/g)?.length).toBe(1);
    expect(await axeViolations(rose)).toEqual([]);
    await rose.setViewportSize({ width: 390, height: 844 });
    await rose.screenshot({ path: "docs/screenshots/escalade-demande-telephone.png", fullPage: true });
    await rose.context().close();
  });

  it("shows the acknowledgements sent in their delay and the holding replies before the deadline on the indicators page", async () => {
    const from = `${monthAgo.slice(0, 7)}-01`;
    const indicators = `${server.url}/organisations/${site}/requests/indicators?from=${from}&to=${today}`;
    await page.goto(indicators);
    await audit(page);
    // Two e-mails owe an acknowledgement, one went out (today, for today's): 50 %. One request is late, without a holding reply: 0 %.
    expect(plain(await page.locator("#acknowledged-in-time").textContent())).toContain("50 %");
    expect(plain(await page.locator("#acknowledged-in-time").textContent())).toContain("sur 2 demandes par ces canaux");
    expect(plain(await page.locator("#holding-before-deadline").textContent())).toContain("0 %");
    expect(plain(await page.locator("#holding-before-deadline").textContent())).toContain("sur 1 demande répondue après l'échéance");

    // Today's e-mail gets a holding reply today, before its deadline, and is still open a month later.
    await page.goto(freshUrl);
    await page.fill("#announcedOn", localDay("Europe/Paris", new Date(Date.now() + 40 * DAY)));
    // The status form above has a note too: the holding reply's own field, by its form.
    await page.locator('form[action$="/holding"] textarea[name="note"]').fill("Le dossier attend l'avis de la commission.");
    await page.getByRole("button", { name: "Envoyer la réponse d'attente" }).click();
    // Read before it leaves, then sent.
    await page.getByRole("button", { name: "Envoyer", exact: true }).click();
    await page.waitForURL(/ok=request\.holding/);
    await runEscalation(server.database.db, new Date(Date.now() + 30 * DAY));
    await page.goto(indicators);
    expect(plain(await page.locator("#holding-before-deadline").textContent())).toContain("50 %");
    expect(plain(await page.locator("#holding-before-deadline").textContent())).toContain("sur 2 demandes répondues après l'échéance");
    await page.screenshot({ path: "docs/screenshots/escalade-indicateurs.png", fullPage: true });

    // The dashboard lists them with the other figures.
    await page.goto(`${server.url}/organisations/${site}/dashboard?from=${from}&to=${today}`);
    const dashboard = await main();
    expect(dashboard).toContain("Accusés de réception envoyés dans leur délai");
    expect(dashboard).toContain("Demandes en retard ayant reçu une réponse d'attente avant l'échéance");
    assertNoPageErrors();
  });
});
