import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDueJobs } from "../../src/modules/jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "../../src/modules/mail/mail.service.ts";
import { createSurvey } from "../../src/modules/surveys/surveys.service.ts";
import { type SmtpListener, startSmtpListener } from "../support/smtp.ts";
import { axeLog, browserAvailable, type LiveServer, launchBrowser, startLiveServer } from "./support/browser.ts";

/**
 * Issue #14 from a blank install: a network head with three sites, one of which ran its survey and
 * published its results. In December the network's « Qui n'a pas encore… » view lists the other two
 * for each obligation they have not met; a reminder goes to their referents (the SMTP listener gets
 * it); once the network adopts SP+ 2023 and one site Marianne 2016, the view counts each site by what
 * its framework asks every year; the two national files download with their columns; « Je donne mon
 * avis » statistics are imported on a site and reach the network's dashboard; an Experiences file is
 * imported, an agent writes the public reply, and the reply shows on the public page without JavaScript.
 */
describe.skipIf(!browserAvailable)("yearly obligations, national formats and public replies in Chromium", () => {
  let server: LiveServer;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let smtp: SmtpListener;
  const { violations, audit } = axeLog();
  const PASSWORD = "une phrase de passe solide";
  const YEAR = new Date().getFullYear();
  let network = "";
  const sites: Record<string, string> = {};

  async function fill(p: Page, fields: Record<string, string>) {
    for (const [name, value] of Object.entries(fields)) {
      const field = p.locator(`[name="${name}"]`);
      if ((await field.evaluate((el) => el.tagName)) === "SELECT") await field.selectOption(value);
      else await field.fill(value);
    }
  }
  async function createOrg(fields: Record<string, string>): Promise<string> {
    await page.goto(`${server.url}/organisations/new`);
    await fill(page, fields);
    await page.getByRole("button", { name: "Créer l'organisation" }).click();
    await page.waitForURL(/\/organisations\/[0-9a-f-]{36}\?ok=org\.created/);
    return new URL(page.url()).pathname.split("/")[2] ?? "";
  }
  const section = (id: string) => page.locator(`section[aria-labelledby="missing-${id}"]`);

  beforeAll(async () => {
    smtp = await startSmtpListener();
    useMailTransport(createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: "Vigie <vigie@reseau.example>" }));
    server = await startLiveServer();
    browser = await launchBrowser();
    admin = await browser.newContext({ locale: "fr-FR" });
    page = await admin.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  it("sets up the network head and its three sites, with a referent on each of the two late ones", async () => {
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await fill(page, { displayName: "Nadia Réseau", email: "nadia@reseau.example", password: PASSWORD });
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    network = await createOrg({ name: "Réseau France services du Nord", kind: "network" });
    for (const name of ["Maison de Lille", "Maison de Douai", "Maison de Roubaix"])
      sites[name] = await createOrg({ name, kind: "site", parentId: network, addressCity: name.slice(9) });
    for (const [name, email] of [
      ["Maison de Douai", "referent.douai@reseau.example"],
      ["Maison de Roubaix", "referent.roubaix@reseau.example"],
    ] as const) {
      await page.goto(`${server.url}/accounts/new`);
      await fill(page, { displayName: `Référent ${name}`, email, password: PASSWORD, role: "referent", orgId: sites[name] ?? "" });
      await page.getByRole("button", { name: "Créer le compte" }).click();
      await page.waitForURL(/\/accounts\/[0-9a-f-]{36}\?ok=account\.created/);
    }
  }, 120_000);

  it("Lille runs its survey and publishes its results", async () => {
    // The survey's answers come from the public form (covered by the surveys journey); one answer stands for them here.
    const db = server.database.db;
    const me = await db
      .selectFrom("accounts")
      .select(["id", "email"])
      .where("email", "=", "nadia@reseau.example")
      .executeTakeFirstOrThrow();
    const actor = { accountId: me.id, email: me.email, displayName: "Nadia Réseau", instanceAdmin: true, grants: [] };
    const survey = await createSurvey(db, actor, network, { template: "on-the-spot" });
    await sql`insert into survey_responses (org_id, survey_id, version, channel, answered_on, answers, form_token_hash, site_id)
      values (${network}::uuid, ${survey.id}::uuid, 1, 'counter', ${`${YEAR}-11-11`}::date, '{}'::jsonb, 'e2e', ${sites["Maison de Lille"]}::uuid)`.execute(
      db,
    );
    await page.goto(`${server.url}/organisations/${sites["Maison de Lille"]}/publication`);
    await page.getByRole("button", { name: "Publier maintenant" }).click();
    await page.waitForURL(/ok=publication\./);
    for (let i = 0; i < 10; i++) await runDueJobs(db);
  });

  it("in December, « Qui n'a pas encore… » lists the two other sites for each obligation they have not met", async () => {
    await page.goto(`${server.url}/organisations/${network}/obligations?year=${YEAR}`);
    await expect(page.getByRole("heading", { name: `Qui n'a pas encore… (${YEAR})` }).isVisible()).resolves.toBe(true);
    const survey = await section("survey").textContent();
    expect(survey).toContain("mené son enquête de satisfaction (2)");
    expect(survey).toContain("Maison de Douai");
    expect(survey).toContain("Maison de Roubaix");
    expect(survey).not.toContain("Maison de Lille");
    const published = await section("publication").textContent();
    expect(published).toContain("publié ses résultats (2)");
    expect(published).not.toContain("Maison de Lille");
    // Nobody signed a self-assessment nor validated a review: all three are listed.
    expect(await section("assessment").textContent()).toContain("signé son auto-évaluation (3)");
    expect(await section("review").textContent()).toContain("validé son bilan annuel (3)");
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/obligations-qui-n-a-pas-encore.png", fullPage: true });
  });

  it("sends the reminder to the referents of the two sites, and says where the messages stand", async () => {
    await section("survey").getByRole("button", { name: "Envoyer un rappel aux référents (2 sites)" }).click();
    const status = (await page.getByRole("status").first().textContent()) ?? "";
    expect(status.replaceAll("\u00a0", " ")).toContain("2 rappels mis en file d'envoi pour « Enquête de satisfaction »");
    for (let i = 0; i < 5; i++) await runDueJobs(server.database.db);
    const douai = await smtp.waitFor((m) => m.to.includes("referent.douai@reseau.example"));
    expect(douai.subject).toBe(`Maison de Douai\u00a0: enquête de satisfaction ${YEAR} à faire`);
    expect(douai.text).toContain("n'a pas encore mené son enquête de satisfaction");
    await smtp.waitFor((m) => m.to.includes("referent.roubaix@reseau.example"));
    await page.goto(`${server.url}/organisations/${network}/obligations?year=${YEAR}`);
    await expect(page.locator("main").textContent()).resolves.toMatch(/Enquête de satisfaction\s:\s2\s+envoyé/);
  });

  it("with the network on Services Publics+ 2023 and Roubaix on Marianne 2016, the view says which commitment asks, and counts Roubaix only where its framework asks every year", async () => {
    for (const [org, framework] of [
      [network, "sp+2023"],
      [sites["Maison de Roubaix"] ?? "", "marianne-2016"],
    ] as const) {
      await page.goto(`${server.url}/organisations/${org}/commitments`);
      await page.selectOption("#frameworkId", framework);
      await page.getByRole("button", { name: "Enregistrer le référentiel" }).click();
      await page.waitForURL(/framework\.adopted/);
    }
    await page.goto(`${server.url}/organisations/${network}/obligations?year=${YEAR}`);
    const survey = ((await section("survey").textContent()) ?? "").replaceAll("\u00a0", " ");
    expect(survey).toContain("mené son enquête de satisfaction (1)");
    expect(survey).toContain(
      "Demandé chaque année par l'engagement n° 6 « Vous avez accès à nos résultats de qualité de service » (2 sites).",
    );
    expect(survey).toContain("1 site a un référentiel qui ne le demande pas chaque année : il n'est pas compté comme manquant.");
    expect(survey).toContain("Maison de Douai");
    expect(survey).not.toContain("Maison de Roubaix");
    const assessment = ((await section("assessment").textContent()) ?? "").replaceAll("\u00a0", " ");
    expect(assessment).toContain("signé son auto-évaluation (2)");
    expect(assessment).toContain("l'engagement n° 7 « Votre avis est pris en compte pour améliorer le service rendu » (2 sites)");
    await expect(section("survey").getByRole("button", { name: "Envoyer un rappel aux référents (1 site)" }).isVisible()).resolves.toBe(
      true,
    );
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/obligations-selon-le-referentiel.png", fullPage: true });

    // Roubaix's own page says the same, from its side.
    await page.goto(`${server.url}/organisations/${sites["Maison de Roubaix"]}/obligations?year=${YEAR}`);
    const own = ((await section("survey").textContent()) ?? "").replaceAll("\u00a0", " ");
    expect(own).toContain("Le référentiel de ce site ne le demande pas chaque année : il n'est pas compté comme manquant.");
  });

  it("downloads the two national files, results and definitions, in the columns of the national data sets", async () => {
    await page.goto(`${server.url}/organisations/${network}/obligations?year=${YEAR}`);
    const fetchLink = async (name: RegExp) => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
      return readFileSync((await download.path()) ?? "", "utf8");
    };
    const results = await fetchLink(/Résultats \d{4} des sites \(export-resultats, CSV\)/);
    expect(results.split("\r\n")[0]).toBe(readFileSync("test/fixtures/export-resultats.csv", "utf8").split("\r\n")[0]);
    const definitions = (await fetchLink(/Définitions des indicateurs publiés \(export-indicateurs, CSV\)/)).trim().split("\r\n");
    expect(definitions[0]).toBe(readFileSync("test/fixtures/export-indicateurs.csv", "utf8").split("\r\n")[0]);
    expect(definitions).toHaveLength(6);
    expect(definitions[4]).toMatch(/^Réseau France services du Nord;Taux de satisfaction des usagers;/);
  });

  it("imports the « Je donne mon avis » statistics of Douai's online procedures, refusing a file without periods", async () => {
    const douai = sites["Maison de Douai"] ?? "";
    await page.goto(`${server.url}/organisations/${douai}/feedback`);
    await expect(page.getByText(`Aucune statistique «\u00a0Je donne mon avis\u00a0» pour ${YEAR}.`).isVisible()).resolves.toBe(true);
    await page.setInputFiles("#jdma-file", "test/fixtures/jdma-statistiques-sans-periode.json");
    await page.getByRole("button", { name: "Importer les statistiques" }).click();
    const alert = ((await page.getByRole("alert").textContent()) ?? "").replaceAll("\u00a0", " ");
    expect(alert).toContain("Les statistiques n'ont pas été importées : rien n'a changé.");
    expect(alert).toContain("demandez les statistiques par mois");
    // The fixture's months, moved to this year.
    const file = path.join(mkdtempSync(path.join(tmpdir(), "jdma-")), "statistiques.json");
    writeFileSync(file, readFileSync("test/fixtures/jdma-statistiques.json", "utf8").replaceAll("2026-", `${YEAR}-`));
    await page.setInputFiles("#jdma-file", file);
    await page.getByRole("button", { name: "Importer les statistiques" }).click();
    await expect(page.getByRole("status").first().textContent()).resolves.toMatch(/Statistiques importées\s:\s2\sdémarches, 2\spériodes\./);
    const row = page.getByRole("row", { name: /Inscription sur les listes électorales/ });
    const cells = (await row.locator("td").allTextContents()).map((c) => c.replace(/[\u00a0\u202f]/g, " "));
    expect(cells.slice(0, 4)).toEqual(["70", "71 %", "13 %", "16 %"]);
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/obligations-je-donne-mon-avis.png", fullPage: true });
    // The network's dashboard adds up its sites: 60 « Très bien » of 90 answers.
    await page.goto(`${server.url}/organisations/${network}/dashboard`);
    const main = ((await page.locator("main").textContent()) ?? "").replace(/[\u00a0\u202f]/g, " ");
    expect(main).toContain("Démarches en ligne : avis « Très bien » (Je donne mon avis)");
    expect(main).toContain("66,7 %");
  });

  it("imports an Experiences file on Douai, an agent replies, and the reply shows on the public page", async () => {
    const douai = sites["Maison de Douai"] ?? "";
    await page.goto(`${server.url}/organisations/${douai}/feedback`);
    await page.setInputFiles("#file", "test/fixtures/export-experiences-bad.csv");
    await page.getByRole("button", { name: "Importer", exact: true }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Le fichier n'a pas été importé\u00a0: rien n'a changé.");
    await expect(page.getByText("Aucun avis importé.").isVisible()).resolves.toBe(true);
    await page.setInputFiles("#file", "test/fixtures/export-experiences.csv");
    await page.getByRole("button", { name: "Importer", exact: true }).click();
    await expect(page.getByRole("status").first().textContent()).resolves.toMatch(/2\sexpériences lues, 2\snouvelles/);
    const story = page.locator("article", { hasText: "Trois appels sans réponse" });
    await story.locator("textarea").fill("Nous avons ajouté une personne à l'accueil téléphonique le matin.");
    await story.getByRole("button", { name: "Publier la réponse" }).click();
    await page.waitForURL(/\/feedback$/);
    await expect(page.locator("article", { hasText: "Trois appels sans réponse" }).textContent()).resolves.toContain(
      "Notre réponse publique",
    );
    // The story goes into the action plan: the action page opens with it, and the story points to it.
    await page
      .locator("article", { hasText: "Trois appels sans réponse" })
      .getByRole("button", { name: "Mettre dans le plan d'actions" })
      .click();
    await page.waitForURL(/\/actions\/[0-9a-f-]{36}$/);
    await expect(page.locator("main").textContent()).resolves.toContain("Avis d'usager");
    await page.goto(`${server.url}/organisations/${douai}/feedback`);
    await expect(
      page
        .locator("article", { hasText: "Trois appels sans réponse" })
        .getByRole("link", { name: "Voir l'action du plan qui en découle" })
        .isVisible(),
    ).resolves.toBe(true);
    await expect(page.locator("main > div > p").first().textContent()).resolves.toMatch(/1\saction du plan qui en découle/);
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/obligations-avis-usagers.png", fullPage: true });

    const visitor = await browser.newContext({ locale: "fr-FR", javaScriptEnabled: false });
    const pub = await visitor.newPage();
    await pub.goto(`${server.url}/public/organisations/${douai}/results`);
    await expect(pub.getByRole("heading", { name: "Vos avis et nos réponses" }).isVisible()).resolves.toBe(true);
    const replies = (await pub.locator('section[aria-labelledby="public-replies"]').textContent()) ?? "";
    expect(replies).toContain("Trois appels sans réponse avant d'avoir quelqu'un.");
    expect(replies).toContain("Nous avons ajouté une personne à l'accueil téléphonique le matin.");
    expect(replies).not.toContain("Accueil très aimable");
    await pub.screenshot({ path: "docs/screenshots/obligations-reponse-publique.png", fullPage: true });
    await visitor.close();
  });

  it("meets the accessibility rules on every page checked", () => {
    expect(JSON.stringify(violations, null, 1)).toBe("{}");
  });
});
