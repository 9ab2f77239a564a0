import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDeadlineAlerts } from "../../src/modules/alerts/alerts.service.ts";
import { runDueJobs } from "../../src/modules/jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "../../src/modules/mail/mail.service.ts";
import { type SmtpListener, startSmtpListener } from "../support/smtp.ts";
import {
  assertNoPageErrors,
  axeViolations,
  browserAvailable,
  createSiteThroughPages,
  type LiveServer,
  launchBrowser,
  signIn,
  startLiveServer,
  watchPageErrors,
} from "./support/browser.ts";

const plain = (text: string | null) => (text ?? "").replace(/[\u00a0\u202f]/g, " ").replace(/\s+/g, " ");
const PASSWORD = "une phrase de passe solide";
const DAY = 86_400_000;

/**
 * Issue #15, point 3, from a blank install: the town hall's correspondent sets its alerts; a member of the
 * public files a complaint on the public form; the correspondent sees the count in the header and the
 * notification, and the e-mail reaches a real SMTP listener; the daily scan run twice gives one deadline
 * alert; once she turns complaints off, the next complaint alerts no one.
 */
describe.skipIf(!browserAvailable)("alerts, in Chromium", () => {
  let server: LiveServer;
  let smtp: SmtpListener;
  let browser: Browser;
  let page: Page;
  let site = "";
  const main = async () => plain(await page.locator("main").textContent());
  const audit = async (p: Page) => expect(await axeViolations(p)).toEqual([]);

  beforeAll(async () => {
    smtp = await startSmtpListener();
    const env = { SMTP_URL: smtp.url, MAIL_FROM: "Vigie <vigie@mairie-dole.fr>" };
    // As main.ts does from the environment: the worker's pass sends through the real listener.
    useMailTransport(createMailTransport(env));
    server = await startLiveServer(env);
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    watchPageErrors(page);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
    useMailTransport(createMailTransport({}));
  });

  const complain = async (subject: string) => {
    const visitor = await (await browser.newContext({ locale: "fr-FR", javaScriptEnabled: false })).newPage();
    await visitor.goto(`${server.url}/public/organisations/${site}/complaint`);
    await visitor.locator('label[for="kind-complaint"]').click();
    await visitor.fill("#subject", subject);
    await visitor.fill("#body", "Deux heures d'attente mardi matin.");
    await visitor.fill("#requesterName", "Jean Dupont");
    await visitor.fill("#requesterEmail", "jean@example.org");
    await visitor.getByRole("button", { name: "Envoyer" }).click();
    await visitor.waitForURL(/complaint\/received/);
    await visitor.context().close();
  };

  it("the administrator creates the site and its correspondent, who sets the alerts of the site", async () => {
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
    await page.goto(`${server.url}/accounts/new`);
    await page.fill("#displayName", "Paul Morel");
    await page.fill("#email", "paul@mairie.example");
    await page.fill("#password", PASSWORD);
    await page.selectOption("#role", "correspondent");
    await page.selectOption("#orgId", site);
    await page.getByRole("button", { name: "Créer le compte" }).click();
    await page.waitForURL(/ok=account\.created/);
    await page.context().clearCookies();

    await signIn(page, server.url, "paul@mairie.example", PASSWORD);
    await page.goto(`${server.url}/organisations/${site}`);
    await page.getByRole("link", { name: "Alertes", exact: true }).click();
    await page.waitForURL(/\/alerts$/);
    expect(await main()).toContain("Alertes — Mairie de Dole");
    await page.fill("#deadlineDays", "0");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    expect(await main()).toContain("Indiquez un nombre entier de jours ouvrés, de 1 à 30.");
    await page.fill("#deadlineDays", "3");
    for (const id of ["kind_complaint_received", "kind_deadline_passed", "kind_deadline_soon"]) {
      expect(await page.locator(`#${id}`).isChecked()).toBe(true);
    }
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/ok=alerts\.saved/);
    expect(await main()).toContain("Les alertes de l'organisation ont été enregistrées.");
    expect(await page.locator("#deadlineDays").inputValue()).toBe("3");
    await audit(page);
  });

  it("a complaint on the public form: the header counts it, the list shows it, the e-mail reaches the SMTP listener", async () => {
    await complain("Attente au guichet");
    await page.goto(`${server.url}/organisations`);
    expect(plain(await page.locator("#account .vigie-unread").textContent())).toBe("1 notification non lue");
    await page.goto(`${server.url}/notifications`);
    expect(await main()).toContain("1 notification non lue.");
    expect(await main()).toMatch(/Réclamation reçue : demande \d{4}-\d{6}/);
    expect(await main()).toMatch(/Une réclamation a été enregistrée sous le numéro \d{4}-\d{6}\./);
    // What the requester wrote stays in the request: an alert leaves by e-mail and escapes the retention job.
    expect(await main()).not.toContain("Attente au guichet");
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/alertes-notifications.png", fullPage: true });
    // The e-mail is queued with the notification and leaves with the worker's pass.
    await runDueJobs(server.database.db);
    const mail = await smtp.waitFor((m) => m.to.includes("paul@mairie.example") && m.subject.includes("Réclamation reçue"));
    expect(mail.text).toContain("Une réclamation a été enregistrée sous le numéro");
    expect(mail.text).not.toContain("Attente au guichet");
    expect(mail.text).toContain(`/organisations/${site}/requests/`);
    // « Marquer comme lue » empties the count.
    await page.getByRole("button", { name: "Marquer comme lue" }).click();
    await page.waitForURL(/ok=notification\.read/);
    expect(await main()).toContain("Aucune notification non lue.");
    expect(await page.locator("#account .vigie-unread").count()).toBe(0);
  });

  it("the daily scan, run twice, gives one deadline alert", async () => {
    // Three months on, the complaint is past its deadline.
    const later = new Date(Date.now() + 90 * DAY);
    expect(await runDeadlineAlerts(server.database.db, later)).toBe(1);
    expect(await runDeadlineAlerts(server.database.db, later)).toBe(0);
    await page.goto(`${server.url}/notifications`);
    expect(await main()).toContain("1 notification non lue.");
    expect((await main()).match(/Échéance dépassée : demande/g)).toHaveLength(1);
    await runDueJobs(server.database.db);
    await smtp.waitFor((m) => m.to.includes("paul@mairie.example") && m.subject.includes("Échéance dépassée"));
    expect(smtp.messages.filter((m) => m.subject.includes("Échéance dépassée"))).toHaveLength(1);
  });

  it("turned off on « Mon compte › Alertes », the next complaint gives no alert", async () => {
    await page.getByRole("button", { name: "Tout marquer comme lu" }).click();
    await page.waitForURL(/ok=notifications\.read/);
    await page.goto(`${server.url}/compte`);
    await page.getByRole("link", { name: "Mes alertes" }).click();
    await page.waitForURL(/\/compte\/alertes$/);
    expect(await main()).toContain("Mes alertes");
    await page.selectOption("#complaint_received", "off");
    await page.getByRole("button", { name: "Enregistrer" }).click();
    await page.waitForURL(/ok=alerts\.preferences/);
    expect(await page.locator("#complaint_received").inputValue()).toBe("off");
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/alertes-mon-compte.png", fullPage: true });
    const before = smtp.messages.length;
    await complain("Guichet fermé sans prévenir");
    await runDueJobs(server.database.db);
    await page.goto(`${server.url}/notifications`);
    expect(await main()).toContain("Aucune notification non lue.");
    expect((await main()).match(/Une réclamation a été enregistrée/g)).toHaveLength(1);
    expect(smtp.messages.slice(before).filter((m) => m.to.includes("paul@mairie.example"))).toEqual([]);
    assertNoPageErrors();
  });
});
