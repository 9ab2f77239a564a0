import { readFileSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INSTANCE_ADMIN, ORG_DEFAULTS } from "../../../test/support/factories.ts";
import "../../app/modules.ts";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { type SmtpListener, startSmtpListener } from "../../../test/support/smtp.ts";
import { compareScope, dashboard } from "../dashboards/dashboards.service.ts";
import { adoptFramework, createLocalCommitment, deleteLocalCommitment } from "../frameworks/frameworks.service.ts";
import { allIndicators } from "../indicators/sources.ts";
import { runDueJobs } from "../jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "../mail/mail.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";
import { publishNow } from "../publication/publication.service.ts";
import { changeStatus, registerRequest } from "../requests/requests.service.ts";
import { buildReview } from "../reviews/reviews.service.ts";
import { createSurvey } from "../surveys/surveys.service.ts";
import { INDICATOR_COLUMNS, indicatorRows, nationalCsv, RESULT_COLUMNS, resultRows } from "./national.ts";
import {
  effectiveTargets,
  feedbackIndicatorBatch,
  feedbackIndicatorSource,
  listFeedback,
  setTargets,
  yearlyObligations,
} from "./obligations.service.ts";

const ROOT = INSTANCE_ADMIN;
const ORG = ORG_DEFAULTS;
const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url));
const decode = (s: string) =>
  s.replaceAll("&#39;", "'").replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("\u00a0", " ").replaceAll("\u202f", " ");

function upload(_t: TestApp, c: Client, url: string, fileName: string, bytes: Buffer) {
  return c.upload(url, { name: fileName, data: bytes });
}

describe("yearly obligations, targets, national formats, feedback", () => {
  let t: TestApp;
  let c: Client;
  let smtp: SmtpListener;
  let net = "";
  const sites: string[] = [];
  const YEAR = new Date().getFullYear();

  beforeAll(async () => {
    smtp = await startSmtpListener();
    useMailTransport(createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: "Vigie <vigie@mairie.example>" }));
    t = await startTestApp();
    c = await adminClient(t);
    const db = t.database.db;
    net = (await createOrganisation(db, ROOT, { ...ORG, name: "Réseau", kind: "network", parentId: undefined })).id;
    for (const name of ["Site A", "Site B", "Site C"])
      sites.push((await createOrganisation(db, ROOT, { ...ORG, name, kind: "site", parentId: net })).id);
    // Site A ran its survey (one answer this year) and published its results.
    const survey = await createSurvey(db, ROOT, net, { template: "on-the-spot" });
    await sql`insert into survey_responses (org_id, survey_id, version, channel, answered_on, answers, form_token_hash, site_id)
      values (${net}::uuid, ${survey.id}::uuid, 1, 'counter', ${`${YEAR}-03-02`}::date, '{}'::jsonb, 'x', ${sites[0]}::uuid)`.execute(db);
    await publishNow(db, ROOT, sites[0] as string);
    for (let i = 0; i < 10; i++) await runDueJobs(db);
    await c.api("POST", "/api/v1/accounts", {
      email: "referente.b@mairie.example",
      displayName: "Référente B",
      password: "mot de passe réf B",
      role: "referent",
      orgId: sites[1],
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it("lists, for each obligation, the sites that have not met it, and only those", async () => {
    const o = await yearlyObligations(t.database.db, net, YEAR);
    expect(o.sites.map((s) => s.name)).toEqual(["Site A", "Site B", "Site C"]);
    expect(o.missing.survey.map((s) => s.name)).toEqual(["Site B", "Site C"]);
    expect(o.missing.assessment.map((s) => s.name)).toEqual(["Site A", "Site B", "Site C"]);
    const page = decode((await c.get(`/organisations/${net}/obligations?year=${YEAR}`)).body);
    expect(page).toContain(`Qui n'a pas encore… (${YEAR})`);
    expect(page).toContain("… mené son enquête de satisfaction (2)");
  });

  it("counts as owed only what each site's framework asks for every year, and says which commitment asks", async () => {
    const db = t.database.db;
    try {
      // The network on Services Publics+ 2023 (engagements 6 and 7 ask for all four every year); Site C on
      // Marianne 2016, whose texts ask for surveys and self-assessments « à une fréquence définie ».
      await adoptFramework(db, ROOT, net, "sp+2023");
      await adoptFramework(db, ROOT, sites[2] as string, "marianne-2016");
      const o = await yearlyObligations(db, net, YEAR);
      expect(o.missing.survey.map((s) => s.name)).toEqual(["Site B"]);
      expect(o.missing.assessment.map((s) => s.name)).toEqual(["Site A", "Site B"]);
      expect(o.notOwed).toEqual({ survey: 1, assessment: 1, review: 1, publication: 1 });
      const siteA = o.sites.find((s) => s.name === "Site A");
      expect(siteA?.owedBy.survey).toMatchObject({ number: 6 });
      expect(siteA?.owedBy.assessment).toMatchObject({ number: 7 });
      const page = decode((await c.get(`/organisations/${net}/obligations?year=${YEAR}`)).body);
      expect(page).toContain("… mené son enquête de satisfaction (1)");
      expect(page).toContain(
        "Demandé chaque année par l'engagement n° 6 « Vous avez accès à nos résultats de qualité de service » (2 sites).",
      );
      expect(page).toContain("1 site a un référentiel qui ne le demande pas chaque année : il n'est pas compté comme manquant.");
      const own = decode((await c.get(`/organisations/${sites[2]}/obligations?year=${YEAR}`)).body);
      expect(own).toContain("Le référentiel de ce site ne le demande pas chaque année : il n'est pas compté comme manquant.");
      expect(own).not.toContain("Envoyer un rappel");
    } finally {
      await adoptFramework(db, ROOT, sites[2] as string, undefined);
      await adoptFramework(db, ROOT, net, undefined);
    }
    // Without a framework, the yearly loop of Services Publics+ applies to every site, even one that made
    // itself a local commitment (a promise of its own is not a framework).
    const local = await createLocalCommitment(db, ROOT, sites[2] as string, {
      title: "Décrocher en 3 sonneries",
      baseCommitmentId: undefined,
      channels: ["phone"],
      targets: [{ metric: "call_pickup_rings", value: 3, unit: "rings", channels: ["phone"], kinds: [] }],
    });
    const loop = await yearlyObligations(db, net, YEAR);
    expect(loop.missing.survey.map((s) => s.name)).toEqual(["Site B", "Site C"]);
    expect(loop.sites.find((s) => s.name === "Site C")?.owedBy.survey).toBe("loop");
    await deleteLocalCommitment(db, ROOT, sites[2] as string, local.id, local.version);
  });

  it("sends a reminder to the referents of the sites concerned, through the outbox", async () => {
    await c.get(`/organisations/${net}/obligations?year=${YEAR}`);
    const sent = decode((await c.post(`/organisations/${net}/obligations/remind`, { year: String(YEAR), obligation: "survey" })).body);
    expect(sent).toContain("1 rappel mis en file d'envoi");
    expect(sent).toContain("Sans référent qualité, donc sans rappel : Site C.");
    for (let i = 0; i < 5; i++) await runDueJobs(t.database.db);
    const mail = await smtp.waitFor((m) => m.to.includes("referente.b@mairie.example"));
    expect(mail.subject).toContain("Site B");
    expect(mail.text).toContain("n'a pas encore mené son enquête de satisfaction");
    const after = decode((await c.get(`/organisations/${net}/obligations?year=${YEAR}`)).body);
    expect(after).toMatch(/Enquête de satisfaction\s:\s1\s(envoyé|en file d'envoi)/);
  });

  it("a bad reminder request changes nothing and says why", async () => {
    await c.get(`/organisations/${net}/obligations`);
    const bad = await c.post(`/organisations/${net}/obligations/remind`, { year: String(YEAR), obligation: "nimportequoi" });
    expect(bad.statusCode).toBe(400);
  });

  it("a target set on the network is inherited below and overridden lower", async () => {
    await c.get(`/organisations/${net}/obligations`);
    expect((await c.post(`/organisations/${net}/targets`, { "calls.answer_rate": "85" })).statusCode).toBe(303);
    const inherited = await effectiveTargets(t.database.db, sites[2] as string);
    expect(inherited.find((x) => x.key === "calls.answer_rate")).toMatchObject({ value: 0.85, setOn: net, own: false });
    await c.get(`/organisations/${sites[2]}/obligations`);
    await c.post(`/organisations/${sites[2]}/targets`, { "calls.answer_rate": "80" });
    expect((await effectiveTargets(t.database.db, sites[2] as string)).find((x) => x.key === "calls.answer_rate")?.value).toBe(0.8);
    const bad = await c.post(`/organisations/${net}/targets`, { "calls.answer_rate": "140" });
    expect(bad.statusCode).toBe(400);
    expect((await effectiveTargets(t.database.db, net)).find((x) => x.key === "calls.answer_rate")?.value).toBe(0.85);
  });

  /** A fixture and a generated CSV compared line by line and column by column, by the fixture's header. */
  function sameColumns(expectedCsv: string, got: string) {
    const expected = expectedCsv.split("\r\n");
    const header = (expected[0] ?? "").split(";");
    const lines = got.split("\r\n");
    expect(lines.length).toBe(expected.length);
    for (const [i, line] of expected.entries()) {
      const want = line.split(";");
      const have = (lines[i] ?? "").split(";");
      for (const [j, col] of header.entries()) expect(have[j], `ligne ${i + 1}, colonne ${col}`).toBe(want[j]);
    }
  }

  it("the national results (export-resultats) have the fixture's columns, one by one, and its value formats", async () => {
    const expected = fixture("export-resultats.csv").toString("utf8");
    expect((expected.split("\r\n")[0] ?? "").split(";")).toEqual([...RESULT_COLUMNS]);
    const computedAt = new Date("2026-01-04T03:00:00Z");
    const base = {
      orgId: "x",
      periodFrom: "2025-01-01",
      periodTo: "2025-12-31",
      channel: null,
      better: "higher" as const,
      low: null,
      high: null,
      commitments: [],
      computedAt,
      orgName: "Mairie annexe du 3e",
      orgKind: "site",
      siret: "21750001600019",
      parentId: null,
    };
    const csv = nationalCsv(
      RESULT_COLUMNS,
      resultRows(
        [
          { ...base, key: "calls.answer_rate", label: "x", unit: "share", value: 0.875, target: 0.85, sample: 1240 },
          { ...base, key: "surveys.satisfaction", label: "x", unit: "share", value: 0.9123, target: null, sample: 312 },
          { ...base, key: "surveys.net_satisfaction", label: "x", unit: "points", value: -4, target: null, sample: 312 },
          // A channel's figure and another year's are not national lines.
          { ...base, key: "calls.answer_rate", label: "x", unit: "share", value: 0.5, target: null, sample: 3, channel: "phone" },
          {
            ...base,
            key: "calls.answer_rate",
            label: "x",
            unit: "share",
            value: 0.5,
            target: null,
            sample: 3,
            periodFrom: "2024-01-01",
            periodTo: "2024-12-31",
          },
        ],
        2025,
        "Ville de Paris",
      ),
    );
    sameColumns(expected, csv);
    const download = await c.get(`/organisations/${net}/export-resultats.csv?year=${YEAR}`);
    expect(download.headers["content-type"]).toContain("text/csv");
    expect(download.headers["content-disposition"]).toContain(`export-resultats-${YEAR}.csv`);
    expect(download.body.split("\r\n")[0]).toBe(RESULT_COLUMNS.join(";"));
  });

  it("the definitions (export-indicateurs) have the fixture's columns and name the network", async () => {
    const expected = fixture("export-indicateurs.csv").toString("utf8");
    expect((expected.split("\r\n")[0] ?? "").split(";")).toEqual([...INDICATOR_COLUMNS]);
    sameColumns(expected, nationalCsv(INDICATOR_COLUMNS, indicatorRows("Ville de Paris")));
    const download = await c.get(`/organisations/${sites[1]}/export-indicateurs.csv`);
    expect(download.headers["content-type"]).toContain("text/csv");
    const lines = download.body.trim().split("\r\n");
    expect(lines).toHaveLength(6);
    // Asked on a site, the network is still the top of its tree.
    expect(lines.slice(1).every((l) => l.startsWith("Réseau;"))).toBe(true);
  });

  it("imports an Experiences export, refuses a bad one whole, and shows the public reply on the results page", async () => {
    const site = sites[0] as string;
    await c.get(`/organisations/${site}/feedback`);
    const bad = await upload(t, c, `/organisations/${site}/feedback/import`, "bad.csv", fixture("export-experiences-bad.csv"));
    expect(bad.statusCode).toBe(400);
    const badBody = decode(bad.body);
    expect(badBody).toContain("Le fichier n'a pas été importé : rien n'a changé.");
    expect(badBody).toContain("Ligne 2 : la date « 31/02/2026 » n'est pas une date");
    expect(badBody).toContain("Ligne 3 : le message de l'usager est vide.");
    expect(badBody).toContain("Aucun avis importé.");
    await c.get(`/organisations/${site}/feedback`);
    const good = decode((await upload(t, c, `/organisations/${site}/feedback/import`, "exp.csv", fixture("export-experiences.csv"))).body);
    expect(good).toContain("2 expériences lues, 2 nouvelles");
    expect(good).toContain("Accueil très aimable; on m'a aidé à remplir le formulaire.");
    await c.get(`/organisations/${site}/feedback`);
    const again = decode((await upload(t, c, `/organisations/${site}/feedback/import`, "exp.csv", fixture("export-experiences.csv"))).body);
    expect(again).toContain("2 expériences lues, 0 nouvelle");
    const id = (await sql<{ id: string }>`select id from feedback where external_id = 'EXP-10433'`.execute(t.database.db)).rows[0]?.id;
    await c.get(`/organisations/${site}/feedback`);
    expect((await c.post(`/organisations/${site}/feedback/${id}/reply`, { reply: " " })).statusCode).toBe(400);
    expect(
      (await c.post(`/organisations/${site}/feedback/${id}/reply`, { reply: "Nous avons renforcé l'accueil téléphonique le matin." }))
        .statusCode,
    ).toBe(303);
    const pub = decode((await c.get(`/public/organisations/${site}/results`)).body);
    expect(pub).toContain("Vos avis et nos réponses");
    expect(pub).toContain("Trois appels sans réponse avant d'avoir quelqu'un.");
    expect(pub).toContain("Nous avons renforcé l'accueil téléphonique le matin.");
    expect(pub).not.toContain("Accueil très aimable");
  });

  it("counts the feedback received, answered within 15 days and turned into actions, rolled up the tree", async () => {
    const period = { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` };
    const own = await feedbackIndicatorSource(t.database.db, sites[0] as string, period);
    expect(own.find((v) => v.key === "feedback.received")?.value).toBe(2);
    const network = await feedbackIndicatorSource(t.database.db, net, period);
    expect(network.find((v) => v.key === "feedback.received")?.value).toBe(2);
    const batch = await feedbackIndicatorBatch(t.database.db, { of: net, depth: "sites" }, period);
    expect(batch.get(sites[0] as string)?.find((v) => v.key === "feedback.received")?.value).toBe(2);
    expect(batch.has(sites[1] as string)).toBe(false);
    // One of the two was answered today, months after it was written: not in time.
    const share = batch.get(sites[0] as string)?.find((v) => v.key === "feedback.answered_in_time");
    expect(share?.sample).toBe(2);
    expect(share?.value).toBe(0);
  });

  it("suggestions get their indicator: received, and answered within the announced delay, rolled up the tree", async () => {
    const db = t.database.db;
    const site = sites[2] as string;
    // Marianne 2008 announces 15 working days for suggestions (n° 13).
    await adoptFramework(db, ROOT, site, "marianne-2008");
    for (const [day, answer] of [
      ["02", "03"],
      ["05", null],
    ] as const) {
      const { request } = await registerRequest(
        db,
        site,
        { kind: "suggestion", channel: "email", receivedOn: `${YEAR}-02-${day}`, subject: "Ouvrir le samedi" },
        { source: "agent", author: { accountId: null, label: "test" } },
      );
      if (answer)
        await changeStatus(db, ROOT, site, request.id, {
          status: "answered",
          pauseClock: false,
          version: request.version,
          on: `${YEAR}-02-${answer}`,
        });
    }
    const period = { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` };
    for (const org of [site, net]) {
      const values = await allIndicators(db, org, period);
      expect(values.find((v) => v.key === "requests.suggestions_received")?.value).toBe(2);
      const inTime = values.find((v) => v.key === "requests.suggestions_in_time");
      expect(inTime?.sample).toBe(1);
      expect(inTime?.value).toBe(1);
    }
    await adoptFramework(db, ROOT, site, undefined);
  });

  it("puts a story in the action plan once, and counts it as turned into an action", async () => {
    const db = t.database.db;
    const site = sites[0] as string;
    const [story] = await listFeedback(db, site);
    expect(story).toBeDefined();
    const page = decode((await c.get(`/organisations/${site}/feedback`)).body);
    expect(page).toContain("Mettre dans le plan d'actions");
    const first = await c.post(`/organisations/${site}/feedback/${story?.id}/action`, {});
    expect(first.statusCode).toBe(303);
    const again = await c.post(`/organisations/${site}/feedback/${story?.id}/action`, {});
    expect(again.headers.location).toBe(first.headers.location);
    const action = decode((await c.get(String(first.headers.location))).body);
    expect(action).toContain(`Avis d'usager ${story?.externalId} :`);
    const period = { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` };
    const values = await feedbackIndicatorSource(db, site, period);
    expect(values.find((v) => v.key === "feedback.into_actions")?.value).toBe(1);
    expect(decode((await c.get(`/organisations/${site}/feedback`)).body)).toContain("Voir l'action du plan qui en découle");
  });

  it("imports « Je donne mon avis » statistics: counted once however often imported, refused whole when a period is missing", async () => {
    const db = t.database.db;
    const site = sites[2] as string;
    // The fixture's months, moved to this year: the page shows the current year.
    const stats = Buffer.from(fixture("jdma-statistiques.json").toString("utf8").replaceAll("2026-", `${YEAR}-`));
    await c.get(`/organisations/${site}/feedback`);
    const bad = await upload(t, c, `/organisations/${site}/feedback/jdma`, "stats.json", fixture("jdma-statistiques-sans-periode.json"));
    expect(bad.statusCode).toBe(400);
    const badBody = decode(bad.body);
    expect(badBody).toContain("Les statistiques n'ont pas été importées : rien n'a changé.");
    expect(badBody).toContain("des totaux sans période");
    const notJson = await upload(t, c, `/organisations/${site}/feedback/jdma`, "stats.json", Buffer.from("produit;avis\n1;bien\n"));
    expect(notJson.statusCode).toBe(400);
    expect(decode(notJson.body)).toContain("Le fichier n'est pas un JSON lisible");
    const period = { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` };
    const jdma = async (org: string) =>
      (await feedbackIndicatorSource(db, org, period)).find((v) => v.key === "feedback.jdma_satisfaction");
    expect(await jdma(site)).toBeUndefined();

    for (let i = 0; i < 2; i++) {
      const ok = await upload(t, c, `/organisations/${site}/feedback/jdma`, "stats.json", stats);
      expect(ok.statusCode).toBe(200);
      expect(decode(ok.body)).toContain("Statistiques importées : 2 démarches, 2 périodes.");
    }
    // 60 « Très bien » of 90 answers (the neutral ones are no opinion; the two forms of a procedure add up), twice imported, counted once.
    const own = await jdma(site);
    expect(own?.sample).toBe(90);
    expect(own?.value).toBeCloseTo(60 / 90, 10);
    expect((await jdma(net))?.sample).toBe(90);
    const batch = await feedbackIndicatorBatch(db, { of: net, depth: "sites" }, period);
    expect(batch.get(site)?.find((v) => v.key === "feedback.jdma_satisfaction")?.sample).toBe(90);
    const page = decode((await c.get(`/organisations/${site}/feedback`)).body);
    expect(page).toMatch(/Inscription sur les listes électorales<\/th>\s*<td>70<\/td>\s*<td>71 %<\/td>\s*<td>13 %<\/td>\s*<td>16 %<\/td>/);
    expect(page).toMatch(/Demande d'acte d'état civil<\/th>\s*<td>20<\/td>\s*<td>50 %<\/td>/);
    expect(page).toContain(`<td>de mars ${YEAR} à avril ${YEAR}</td>`);
  });

  it("the dashboard's traffic lights read the network's target in place of the framework's", async () => {
    const db = t.database.db;
    const site = sites[1] as string;
    const { request } = await registerRequest(
      db,
      site,
      { kind: "request", channel: "letter", receivedOn: `${YEAR}-03-02`, subject: "Demande" },
      { source: "agent", author: { accountId: null, label: "test" } },
    );
    await changeStatus(db, ROOT, site, request.id, {
      status: "answered",
      pauseClock: false,
      version: request.version,
      on: `${YEAR}-03-03`,
    });
    const period = { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` };
    const figure = async () =>
      (await dashboard(db, site, period)).lines.flatMap((l) => l.figures).find((f) => f.key === "requests.answered_in_time" && !f.channel);
    await setTargets(db, ROOT, net, { "requests.answered_in_time": 0.85 });
    expect((await figure())?.target).toBe(0.85);
    await setTargets(db, ROOT, site, { "requests.answered_in_time": 0.9 });
    expect((await figure())?.target).toBe(0.9);

    // The same targets reach the comparison of the network's sites, the site's annual review and its published figures.
    const compared = await compareScope(db, net, period, "sites", "requests.answered_in_time");
    const rowOf = (id: string) => compared.ranking.find((r) => r.org.id === id)?.figure;
    expect(rowOf(site)?.target).toBe(0.9);
    const review = await buildReview(db, site, YEAR);
    const inReview = review.sections.flatMap((s) => s.indicators).find((f) => f.key === "requests.answered_in_time" && !f.channel);
    expect(inReview?.target).toBe(0.9);
    await publishNow(db, ROOT, site);
    for (let i = 0; i < 10; i++) await runDueJobs(db);
    const published = await sql<{ target: number | string | null }>`select target from published_figures
      where org_id = ${site}::uuid and indicator_key = 'requests.answered_in_time' and channel = '' and period_from = ${`${YEAR}-01-01`}::date`.execute(
      db,
    );
    expect(published.rows.map((r) => Number(r.target))).toEqual([0.9]);
    await setTargets(db, ROOT, site, { "requests.answered_in_time": null });
    expect(
      (await compareScope(db, net, period, "sites", "requests.answered_in_time")).ranking.find((r) => r.org.id === site)?.figure?.target,
    ).toBe(0.85);
  });
});
