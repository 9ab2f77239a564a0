import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeLog, browserAvailable, createSiteThroughPages, type LiveServer, launchBrowser, startLiveServer } from "./support/browser.ts";

/** The words on the page; its no-break spaces are checked by the typography test. */
const plain = (text: string | null) => (text ?? "").replace(/[\u00a0\u202f]/g, " ");

/**
 * A town hall's quality correspondent prepares the Services Publics + label (issue #14, point 2), from
 * a blank install: last year's self-assessment signed under SP+ 2020, the move to the 2023 framework
 * (this year's self-assessment compared with last year's through the mapping), the label file with
 * its candidacy and audit, the audit's findings as actions of the plan with their deadlines, the
 * users' survey created from the label's template and answered, and the checklist read piece by piece.
 */
describe.skipIf(!browserAvailable)("preparing the Services Publics + label, from a blank install", () => {
  let server: LiveServer;
  let base = "";
  let browser: Browser;
  let page: Page;
  let site = "";
  const year = new Date().getFullYear();
  const next = year + 1;
  const { violations, audit } = axeLog();
  const PASSWORD = "Un label pour le golfe du Morbihan";

  const main = async () => plain(await page.locator("main").textContent());
  const row = async (key: string) => plain(await page.locator(`#check-${key}`).textContent());

  /** Answers every requirement of every commitment of a campaign: `weak` not met, the rest met. */
  async function fillCampaign(campaignUrl: string, commitments: number, weak: number) {
    for (let index = 1; index <= commitments; index++) {
      await page.goto(`${campaignUrl}/commitments/${index}`);
      const count = await page.locator('input[name$="-id"]').count();
      for (let r = 1; r <= count; r++) {
        await page.locator(`label[for="r${r}-status-${index === weak ? "not_met" : "met"}"]`).click();
      }
      await page.getByRole("button", { name: "Enregistrer les réponses" }).click();
      await page.waitForURL(/ok=assessment\.saved/);
    }
    await page.goto(campaignUrl);
    await page.getByRole("button", { name: "Signer et verrouiller" }).click();
    await page.waitForURL(/ok=assessment\.signed/);
    expect(await main()).toContain("Campagne signée");
  }

  async function openCampaign(campaignYear: number): Promise<string> {
    await page.goto(`${base}/organisations/${site}/assessments`);
    await page.fill("#year", String(campaignYear));
    await page.getByRole("button", { name: "Ouvrir la campagne" }).click();
    await page.waitForURL(/ok=assessment\.created/);
    return page.url().split("?")[0] ?? "";
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

  it("creates the first account and the town hall, on SP+ 2020, and signs last year's self-assessment", async () => {
    await page.goto(base);
    expect(new URL(page.url()).pathname).toBe("/setup");
    await page.fill("#displayName", "Gaëlle Le Goff");
    await page.fill("#email", "qualite@mairie-vannes.fr");
    await page.fill("#password", PASSWORD);
    await page.getByRole("button", { name: "Créer le compte administrateur" }).click();
    await page.waitForURL(/\/organisations\/new/);
    site = await createSiteThroughPages(page, base, "Mairie de Vannes");
    await page.goto(`${base}/organisations/${site}/commitments`);
    await page.selectOption("#frameworkId", "sp+2021");
    await page.getByRole("button", { name: "Enregistrer le référentiel" }).click();
    await page.waitForURL(/framework\.adopted/);
    expect(await main()).toContain("Vous avez accès à nos résultats de qualité de service");
    // Last year under SP+ 2020: the welcome (n° 1) is the weak point.
    await fillCampaign(await openCampaign(year - 1), 9, 1);
  });

  it("moves to the 2023 framework and compares this year's self-assessment with last year's", async () => {
    await page.goto(`${base}/organisations/${site}/commitments`);
    await page.selectOption("#frameworkId", "sp+2023");
    await page.getByRole("button", { name: "Enregistrer le référentiel" }).click();
    await page.waitForURL(/framework\.adopted/);
    expect(await main()).toContain("Nous sommes éco-responsables");
    // Last year's campaign is still there.
    await page.goto(`${base}/organisations/${site}/assessments`);
    expect(await main()).toContain(String(year - 1));
    const campaignUrl = await openCampaign(year);
    await fillCampaign(campaignUrl, 8, 0);
    await page.goto(campaignUrl);
    const text = await main();
    expect(text).toContain(`Auto-évaluation ${year}`);
    expect(text).toContain("Score global : 100");
    expect(text).toMatch(new RegExp(`Score global ${year - 1} : \\d`));
    expect(text).toContain(`Score ${year - 1}`);
    // Each 2023 commitment is compared with its SP+ 2020 predecessor, and the page says which.
    expect(text).toContain("selon l’ancien référentiel, engagement n° 1 (sp+2021)");
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/label-auto-evaluation.png", fullPage: true });
  });

  it("opens the label file from the organisation page and records the candidacy and the audit", async () => {
    await page.goto(`${base}/organisations/${site}`);
    await page.getByRole("link", { name: "Dossier de label" }).click();
    await page.waitForURL(/\/label$/);
    expect(await main()).toContain("Dossier de label Services Publics + — Mairie de Vannes");
    expect(await main()).toContain("pas de label attribué");
    await audit(page);
    await page.fill("#candidacyOn", `${year}-11-02`);
    await page.fill("#auditOn", `${next}-02-10`);
    await page.fill("#body", "AFNOR Certification");
    await page.getByRole("button", { name: "Enregistrer le dossier" }).click();
    await page.waitForURL(/\/label$/);
    const text = await main();
    expect(text).toContain(`Candidature2 novembre ${year}`);
    expect(text).toContain(`10 février ${next}, par AFNOR Certification`);
    expect(text).toContain("Niveaunon attribué");
  });

  it("records a non-conformity and a remark, and finds them as actions with their deadlines in the plan", async () => {
    const findings = [
      ["non_conformity", "Les délais de réponse aux courriels ne sont pas affichés à l'accueil", `${next}-03-31`, "31 mars"],
      ["remark", "La signalétique vers le service état civil est peu lisible", `${next}-06-30`, "30 juin"],
    ] as const;
    for (const [kind, text, dueOn] of findings) {
      await page.selectOption("#kind", kind);
      await page.fill("#text", text);
      await page.fill("#dueOn", dueOn);
      await page.getByRole("button", { name: "Enregistrer le constat" }).click();
      await page.waitForURL(/\/label#findings$/);
    }
    const list = plain(await page.locator("#findings").textContent());
    expect(list).toContain(`Non-conformité : ${findings[0][1]} — échéance 31 mars ${next} — action n° 1`);
    expect(list).toContain(`Remarque : ${findings[1][1]} — échéance 30 juin ${next} — action n° 2`);
    await audit(page);
    await page.getByRole("link", { name: "action n° 1" }).click();
    expect(await main()).toContain(`Audit du label — non-conformité : ${findings[0][1]}`);
    await page.goto(`${base}/organisations/${site}/actions`);
    const plan = await main();
    expect(plan).toContain(`Audit du label — non-conformité : ${findings[0][1]}`);
    expect(plan).toContain(`Audit du label — remarque : ${findings[1][1]}`);
    expect(plan).toContain(`31/03/${next}`);
    expect(plan).toContain(`30/06/${next}`);
    await page.screenshot({ path: "docs/screenshots/label-plan-actions.png", fullPage: true });
  });

  it("creates the users' survey from the label's template, has it answered, and reads the checklist", async () => {
    await page.goto(`${base}/organisations/${site}/label`);
    expect(await row("survey")).toContain("Manquant");
    expect(await row("survey")).toContain("Aucune enquête.");
    await page.locator("#check-survey").getByRole("button", { name: "Créer l'enquête depuis le modèle" }).click();
    await page.waitForURL(/ok=survey\.created/);
    expect(await main()).toContain("Votre avis sur la qualité de nos services");
    const surveyId = new URL(page.url()).pathname.split("/")[4] ?? "";

    await page.goto(`${base}/organisations/${site}/label`);
    expect(await row("survey")).toContain("Manquant");
    expect(await row("survey")).toContain("« Votre avis sur la qualité de nos services » créée, encore sans réponse.");

    // A user answers on the public link, in a browser of their own.
    const visitor = await (await browser.newContext({ locale: "fr-FR" })).newPage();
    await visitor.goto(`${base}/s/${site}/${surveyId}`);
    expect(plain(await visitor.locator("main").textContent())).toContain("Globalement, êtes-vous satisfait de la qualité de service ?");
    await visitor.locator('label[for="q-overall-5"]').click();
    await visitor.locator('label[for="q-contact-ease-4"]').click();
    await visitor.getByRole("button", { name: "Envoyer mon avis" }).click();
    await visitor.waitForURL(/\/merci/);
    await visitor.context().close();

    await page.goto(`${base}/organisations/${site}/label`);
    const survey = await row("survey");
    expect(survey).toContain("Présent");
    expect(survey).toContain("Enquête « Votre avis sur la qualité de nos services » : 1 réponse.");
    const agents = await row("agents");
    expect(agents).toContain("Manquant");
    expect(await page.locator("#check-agents").getByRole("button", { name: "Créer l'enquête depuis le modèle" }).count()).toBe(1);
    expect(await row("assessment")).toContain("Présent");
    expect(await row("assessment")).toContain(`Dernière campagne : ${year}, signée.`);
    expect(await row("plan")).toContain("2 actions au plan.");
    expect(await row("results")).toContain("Manquant");
    expect(await row("training")).toContain("Manquant");
    expect(await row("training")).toContain("Aucun agent enregistré.");
    await audit(page);
    await page.screenshot({ path: "docs/screenshots/label-dossier.png", fullPage: true });
  });

  it("finds no accessibility violation on any page visited", () => {
    expect(violations).toEqual({});
  });
});
