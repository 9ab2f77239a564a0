import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../app/modules.ts";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { engineName } from "../../../test/support/database.ts";
import { EMBEDDED_MARIANNE, readPdf } from "../../../test/support/pdf.ts";
import { type SmtpListener, startSmtpListener } from "../../../test/support/smtp.ts";
import { hitCounter } from "../../kernel/rate-limit.ts";
import { escapeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { allIndicators } from "../indicators/sources.ts";
import { runDueJobs } from "../jobs/jobs.service.ts";
import { createMailTransport, useMailTransport } from "../mail/mail.service.ts";
import { SURVEY_ADDRESS_RATE } from "./definitions.service.ts";

const BASE = "https://vigie.exemple.fr";
const tokenOf = (body: string) => /name="_form" value="([^"]+)"/.exec(body)?.[1] ?? "";
const versionOf = (body: string) => /name="version" value="(\d+)"/.exec(body)?.[1] ?? "";
const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());

/** Distribution, invitations, kiosk, editing, moderation and exports, through HTTP as staff and public use them. */
describe(`survey distribution and analysis on ${engineName}`, () => {
  let t: TestApp;
  let staff: Client;
  let smtp: SmtpListener;
  let network = "";
  const sites: string[] = [];
  let surveyId = "";

  beforeAll(async () => {
    smtp = await startSmtpListener();
    useMailTransport(createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: "Réseau <accueil@reseau.example>" }));
    t = await startTestApp({ BASE_URL: BASE });
    staff = await adminClient(t);
    const org = (body: object) =>
      staff.api("POST", "/api/v1/organisations", { timeZone: "Europe/Paris", holidayZone: "metropole", ...body });
    network = (await org({ name: "Réseau France services", kind: "network" })).json().id;
    for (const name of ["Maison de Poissy", "Maison d'Achères"])
      sites.push((await org({ name, kind: "site", parentId: network })).json().id);
    await staff.api("PUT", `/api/v1/organisations/${network}/framework`, { frameworkId: "sp+2021" });
    surveyId = (await staff.api("POST", `/api/v1/organisations/${network}/surveys`, { template: "annual" })).json().id;
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  /** One respondent on one site's link for one channel. */
  const respond = async (site: string, channel: string, answers: Record<string, string | string[]>) => {
    const c = new Client(t.app);
    const page = await c.get(`/s/${network}/${surveyId}?site=${site}&canal=${channel}`);
    expect(page.statusCode).toBe(200);
    return c.post(`/s/${network}/${surveyId}`, { _form: tokenOf(page.body), _site: site, _canal: channel, ...answers });
  };

  it("lists a link, a QR code and a poster per site and channel, and the poster names the site", async () => {
    const page = await staff.get(`/organisations/${network}/surveys/${surveyId}/diffusion`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`${BASE}/s/${network}/${surveyId}?canal=counter`);
    expect(page.body).toContain(escapeHtml(`${BASE}/s/${network}/${surveyId}?site=${sites[0]}&canal=counter`));
    expect(page.body).toContain("<svg");
    const svg = await staff.get(`/organisations/${network}/surveys/${surveyId}/qr.svg?site=${sites[1]}&canal=web`);
    expect(svg.headers["content-type"]).toContain("image/svg+xml");
    expect(svg.body).toMatch(/^<svg [^>]*viewBox="0 0 (\d+) \1"/);
    const outside = await staff.get(`/organisations/${network}/surveys/${surveyId}/qr.svg?site=00000000-0000-4000-8000-000000000000`);
    expect(outside.statusCode).toBe(404);
    const pdf = await staff.get(`/organisations/${network}/surveys/${surveyId}/affiche.pdf?site=${sites[1]}&canal=counter`);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const dir = mkdtempSync(path.join(tmpdir(), "vigie-poster-"));
    writeFileSync(path.join(dir, "affiche.pdf"), pdf.rawPayload);
    const text = execFileSync("pdftotext", ["-layout", path.join(dir, "affiche.pdf"), "-"], { encoding: "utf8" });
    expect(text).toContain("Maison d'Achères");
    expect(text).toContain("Donnez-nous votre avis");
    expect(text.replace(/\s+/g, "")).toContain(`${BASE}/s/${network}/${surveyId}?site=${sites[1]}&canal=counter`);
    expect(execFileSync("pdfinfo", [path.join(dir, "affiche.pdf")], { encoding: "utf8" })).toMatch(/Pages:\s+1\b[\s\S]*A4/);
    expect(readPdf(pdf.rawPayload).fonts).toMatch(EMBEDDED_MARIANNE);
  });

  it("draws each link's form for its own site, channel and visitor, with a fresh form token every time", async () => {
    // The blank form is drawn once per survey and filled in per request (page templates, ui/page.tsx).
    const visitor = new Client(t.app);
    const poissy = await visitor.get(`/s/${network}/${surveyId}?site=${sites[0]}&canal=web`);
    const acheres = await visitor.get(`/s/${network}/${surveyId}?site=${sites[1]}&canal=counter`);
    expect(poissy.body).toMatch(/<title>[^<]* — Maison de Poissy — Vigie<\/title>/);
    expect(poissy.body).toContain(`name="_site" value="${sites[0]}"`);
    expect(poissy.body).toContain('name="_canal" value="web"');
    expect(poissy.body).not.toContain(sites[1]);
    expect(acheres.body).toMatch(/<title>[^<]* — Maison d&#39;Achères — Vigie<\/title>/);
    expect(acheres.body).toContain(`<p class="fr-text--sm fr-mb-1w">Maison d&#39;Achères</p>`);
    expect(acheres.body).toContain('name="_canal" value="counter"');
    expect(acheres.body).not.toContain("Maison de Poissy");
    expect(tokenOf(poissy.body)).not.toBe(tokenOf(acheres.body));
    expect(poissy.body).not.toContain("\u0000");
    // The page of a person signed in is drawn for them: their own header, not a visitor's.
    const own = await staff.get(`/s/${network}/${surveyId}?site=${sites[0]}`);
    expect(own.body).toContain("Se déconnecter");
    expect(poissy.body).not.toContain("Se déconnecter");
  });

  // Answers known in advance, so the figures below are counted here, not by the code under test.
  const plan: Array<{ site: number; channel: "counter" | "web"; overall: string; recommend?: string }> = [];
  for (let i = 0; i < 36; i++)
    plan.push({
      site: i % 3 === 0 ? 1 : 0,
      channel: i % 2 ? "web" : "counter",
      overall: String(((i * 7) % 5) + 1),
      recommend: i % 4 ? String(i % 11) : undefined,
    });

  it("counts every answer by site and channel, and the results match a count made by hand", async () => {
    for (const p of plan) {
      const sent = await respond(sites[p.site] ?? "", p.channel, {
        overall: p.overall,
        ...(p.recommend ? { recommendation: p.recommend } : {}),
      });
      expect(sent.statusCode).toBe(303);
    }
    const satisfied = (list: typeof plan) => list.filter((p) => Number(p.overall) >= 4).length;
    const dissatisfied = (list: typeof plan) => list.filter((p) => Number(p.overall) <= 2).length;
    const results = (await staff.api("GET", `/api/v1/organisations/${network}/surveys/${surveyId}/results`)).json();
    expect(results.responses).toBe(plan.length);
    // The list's count, kept in the rollup (migration 0040): the same.
    const listed = (await staff.api("GET", `/api/v1/organisations/${network}/surveys`)).json() as Array<{ id: string; responses: number }>;
    expect(listed.find((x) => x.id === surveyId)?.responses).toBe(plan.length);
    const overall = results.questions.find((q: { id: string }) => q.id === "overall");
    expect(overall.answered).toBe(plan.length);
    expect(overall.satisfaction.value).toBeCloseTo(satisfied(plan) / plan.length, 10);
    expect(overall.net.value).toBeCloseTo((satisfied(plan) - dissatisfied(plan)) / plan.length, 10);
    for (const d of overall.distribution) expect(d.count).toBe(plan.filter((p) => p.overall === d.value).length);

    // Filtered on one site and one channel.
    const one = plan.filter((p) => p.site === 1 && p.channel === "web");
    const filtered = (
      await staff.api("GET", `/api/v1/organisations/${network}/surveys/${surveyId}/results?site=${sites[1]}&channel=web`)
    ).json();
    expect(filtered.questions.find((q: { id: string }) => q.id === "overall").answered).toBe(one.length);

    // The page compares sites and channels.
    const page = await staff.get(`/organisations/${network}/surveys/${surveyId}`);
    expect(page.body).toContain("Comparaison entre canaux");
    expect(page.body).toContain("Comparaison entre sites");
    expect(page.body).toContain(escapeHtml("Maison d'Achères"));

    // Up the tree: the network holds both sites; each site only its own.
    const period = { from: `${today().slice(0, 4)}-01-01`, to: today() };
    const networkFigures = await allIndicators(t.database.db, network, period);
    const rate = networkFigures.find((f) => f.key === "surveys.satisfaction" && !f.channel);
    expect(rate?.sample).toBe(plan.length);
    expect(rate?.value).toBeCloseTo(satisfied(plan) / plan.length, 10);
    expect(rate?.commitments).toContain("sp+2021/7");
    const siteFigures = await allIndicators(t.database.db, sites[1] ?? "", period);
    const siteRate = siteFigures.find((f) => f.key === "surveys.satisfaction" && !f.channel);
    const siteOne = plan.filter((p) => p.site === 1);
    expect(siteRate?.sample).toBe(siteOne.length);
    expect(siteRate?.value).toBeCloseTo(satisfied(siteOne) / siteOne.length, 10);
    // Online procedures rated 8/10 or more: the 0–10 question answered on the web link.
    const online = plan.filter((p) => p.channel === "web" && p.recommend);
    const eight = networkFigures.find((f) => f.key === "surveys.online_8_or_more");
    expect(eight?.sample).toBe(online.length);
    expect(eight?.value).toBeCloseTo(online.filter((p) => Number(p.recommend) >= 8).length / online.length, 10);
  });

  it("refuses an answer past its address's ceiling, in French and without storing it, and counts each answer it takes", async () => {
    // The test client's address, as the server sees it; its counter for this hour, filled to the ceiling.
    const counter = hitCounter("survey-response:address", "127.0.0.1", SURVEY_ADDRESS_RATE);
    const db = t.database.db;
    const stored = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from survey_responses where survey_id = ${surveyId}`.execute(db)).rows[0]?.n);
    const hits = async () =>
      (
        await sql<{ hits: number }>`select hits from rate_counters where bucket = ${counter.bucket} and key_hash = ${counter.keyHash}
                                     and window_start = ${counter.windowStart}`.execute(db)
      ).rows[0]?.hits;
    const before = await stored();
    const taken = (await hits()) ?? 0;
    expect(taken).toBeGreaterThanOrEqual(plan.length);
    await sql`update rate_counters set hits = ${SURVEY_ADDRESS_RATE.max} where bucket = ${counter.bucket} and key_hash = ${counter.keyHash}
              and window_start = ${counter.windowStart}`.execute(db);
    const refused = await respond(sites[0] ?? "", "counter", { overall: "5" });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain(escapeHtml("Trop d'envois depuis votre connexion. Réessayez dans une heure."));
    expect(await stored()).toBe(before);
    // Under the ceiling again: the answer is stored and counted once against the address.
    await sql`update rate_counters set hits = ${taken} where bucket = ${counter.bucket} and key_hash = ${counter.keyHash}
              and window_start = ${counter.windowStart}`.execute(db);
    expect((await respond(sites[0] ?? "", "counter", { overall: "5" })).statusCode).toBe(303);
    expect(await stored()).toBe(before + 1);
    expect(await hits()).toBe(taken + 1);
    plan.push({ site: 0, channel: "counter", overall: "5" });
  });

  it("tells an endpoint added behind the server's back of the very next answer (the answer checks its settings are current)", async () => {
    const db = t.database.db;
    // The server has read its settings (no endpoint listens) and keeps them while the settings epoch stays.
    expect((await respond(sites[0] ?? "", "web", { overall: "3" })).statusCode).toBe(303);
    // Another server, or a person in psql, adds an endpoint: the epoch moves at its commit.
    const endpoint = (
      await sql<{ id: string }>`insert into webhook_endpoints (org_id, url, events, secret, created_by)
        values (${network}, 'https://crochet.exemple.fr/vigie', array['survey.answered'], 'secret', 'test') returning id`.execute(db)
    ).rows[0]?.id;
    expect((await respond(sites[0] ?? "", "web", { overall: "3" })).statusCode).toBe(303);
    const deliveries = await sql<{ body: string }>`select body from webhook_deliveries where endpoint_id = ${endpoint}`.execute(db);
    expect(deliveries.rows).toHaveLength(1);
    expect(JSON.parse(deliveries.rows[0]?.body ?? "{}")).toMatchObject({ type: "survey.answered", orgId: sites[0] });
    // Gone again (its deliveries with it): the answers after it are not delivered anywhere.
    await sql`delete from webhook_endpoints where id = ${endpoint}`.execute(db);
    expect((await respond(sites[0] ?? "", "web", { overall: "3" })).statusCode).toBe(303);
    expect(Number((await sql<{ n: string }>`select count(*) as n from webhook_deliveries`.execute(db)).rows[0]?.n)).toBe(0);
    for (let i = 0; i < 3; i++) plan.push({ site: 0, channel: "web", overall: "3" });
  });

  it("publishes overall satisfaction and online procedures rated 8/10 or more on the network's public page", async () => {
    expect((await staff.api("POST", `/api/v1/organisations/${network}/publication`, {})).statusCode).toBeLessThan(300);
    const page = await new Client(t.app).get(`/public/organisations/${network}/results`);
    expect(page.statusCode).toBe(200);
    const text = page.body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    const satisfied = plan.filter((p) => Number(p.overall) >= 4).length;
    const online = plan.filter((p) => p.channel === "web" && p.recommend);
    const eight = online.filter((p) => Number(p.recommend) >= 8).length;
    const percent = (x: number) => `${(x * 100).toLocaleString("fr-FR", { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %`;
    expect(text.replace(/\u00a0|\u202f/g, " ")).toContain(
      `Usagers satisfaits de la qualité du service ${percent(satisfied / plan.length)} sur ${plan.length} réponses`,
    );
    expect(text.replace(/\u00a0|\u202f/g, " ")).toContain(
      `Démarches en ligne notées 8/10 ou plus ${percent(eight / online.length)} sur ${online.length} démarches évaluées`,
    );
  });

  it("exports every response to CSV and XLSX, answers written as their labels", async () => {
    const csv = await staff.get(`/organisations/${network}/surveys/${surveyId}/export.csv`);
    expect(csv.headers["content-type"]).toContain("text/csv");
    const lines = csv.body
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines).toHaveLength(plan.length + 1);
    expect(lines[0]).toMatch(/^Réponse,Date,Site,Canal,Mode,Version,/);
    expect(csv.body).toContain("Maison de Poissy,Accueil physique,Lien public,1,");
    const xlsx = await staff.get(`/organisations/${network}/surveys/${surveyId}/export.xlsx`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(["Réponses", "Résultats"]);
    expect(book.getWorksheet("Réponses")?.rowCount).toBe(plan.length + 1);
    const results = book.getWorksheet("Résultats");
    const rows: unknown[][] = [];
    results?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows.some((r) => r[1] === "Taux de satisfaction")).toBe(true);
  });

  it("adds a one-time invitation to the answer e-mail of a request, and the invited answer counts once", async () => {
    const form = await staff.get(`/organisations/${network}/surveys/${surveyId}/diffusion`);
    const saved = await staff.post(`/organisations/${network}/surveys/${surveyId}/reglages`, {
      version: versionOf(form.body),
      status: "open",
      inviteAfterAnswer: "true",
    });
    expect(saved.statusCode).toBe(303);
    const r = (
      await staff.api("POST", `/api/v1/organisations/${sites[0]}/requests`, {
        kind: "request",
        channel: "email",
        receivedOn: today(),
        subject: "Carte grise",
        requesterEmail: "lea@example.org",
      })
    ).json().request;
    await staff.api("POST", `/api/v1/organisations/${sites[0]}/requests/${r.id}/status`, {
      status: "answered",
      message: "Votre dossier est complet.",
      version: r.version,
    });
    await runDueJobs(t.database.db);
    const mail = await smtp.waitFor((m) => m.to.includes("lea@example.org") && m.text.includes("questionnaire"));
    const link = new RegExp(`${BASE.replace(/\./g, "\\.")}(/s/\\S+)`).exec(mail.text)?.[1] ?? "";
    expect(link).toContain(`site=${sites[0]}`);
    const person = new Client(t.app);
    const page = await person.get(link);
    expect(page.statusCode).toBe(200);
    const sent = await person.post(`/s/${network}/${surveyId}`, {
      _form: tokenOf(page.body),
      ...Object.fromEntries([...page.body.matchAll(/name="(_site|_invitation)" value="([^"]+)"/g)].map((m) => [m[1], m[2]])),
      overall: "5",
    });
    expect(sent.statusCode).toBe(303);
    // The same link again: said at once, and a post with a fresh form is refused.
    const again = await new Client(t.app).get(link);
    expect(again.body).toContain(escapeHtml("Cette invitation a déjà servi"));
    const sneaky = new Client(t.app);
    const fresh = await sneaky.get(`/s/${network}/${surveyId}`);
    const invitation = /invitation=([A-Za-z0-9_-]+)/.exec(link)?.[1] ?? "";
    const twice = await sneaky.post(`/s/${network}/${surveyId}`, { _form: tokenOf(fresh.body), _invitation: invitation, overall: "1" });
    expect(twice.statusCode).toBe(400);
    const results = (await staff.api("GET", `/api/v1/organisations/${network}/surveys/${surveyId}/results`)).json();
    expect(results.responses).toBe(plan.length + 1);
    // Nothing ties the invitation to the request or the person.
    const invitations = await t.database.db
      .selectFrom("survey_invitations" as never)
      .selectAll()
      .execute();
    expect(JSON.stringify(invitations)).not.toContain(r.id);
    expect(JSON.stringify(invitations)).not.toContain("lea@example.org");
  });

  it("takes kiosk taps without JavaScript, and batches kept offline with their day, each counted once", async () => {
    const site = await staff.api("POST", "/api/v1/organisations", {
      name: "Mairie annexe",
      kind: "site",
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
    });
    const siteId = site.json().id;
    const spot = (
      await staff.api("POST", `/api/v1/organisations/${siteId}/surveys`, { template: "on-the-spot", channel: "counter" })
    ).json().id;
    const page = await staff.get(`/organisations/${siteId}/surveys/${spot}/diffusion`);
    const kiosk = new RegExp(`${BASE.replace(/\./g, "\\.")}(/borne/[^"<]+)`).exec(page.body)?.[1] ?? "";
    expect(kiosk).not.toBe("");
    const tablet = new Client(t.app);
    const screen = await tablet.get(kiosk);
    expect(screen.statusCode).toBe(200);
    expect(screen.body).toContain('name="overall" value="3"');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(screen.body)?.[1] ?? "";
    const id = /name="_id" value="([^"]+)"/.exec(screen.body)?.[1] ?? "";
    const tap = await tablet.post(kiosk, { _csrf: csrf, _id: id, overall: "3" });
    expect(tap.statusCode).toBe(200);
    expect(tap.body).toContain('http-equiv="refresh"');
    // The same tap posted twice (a double tap) counts once.
    await tablet.post(kiosk, { _csrf: csrf, _id: id, overall: "3" });

    const threeDaysAgo = new Date(Date.now() - 3 * 86400_000);
    const batch = {
      answers: [
        { id: "tablette-0001", at: threeDaysAgo.toISOString(), answers: { overall: "1" } },
        { id: "tablette-0002", answers: { overall: "2" } },
        { id: "tablette-0002", answers: { overall: "2" } },
        { id: "tablette-0003", answers: { overall: "9" } },
      ],
    };
    const api = `/api/v1/public/kiosk/${kiosk.split("/borne/")[1]}`;
    const sent = await new Client(t.app).api("POST", api, batch);
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toEqual({ recorded: 2, duplicates: 1, refused: ["tablette-0003"] });
    const rows = await t.database.db
      .selectFrom("survey_responses" as never)
      .select(["answered_on" as never, "via" as never, "channel" as never])
      .where("survey_id" as never, "=", spot as never)
      .execute();
    expect(rows).toHaveLength(3);
    const days = (rows as Array<{ answered_on: string; via: string; channel: string }>).map((r) => r.answered_on).sort();
    expect(days[0]).toBe(new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(threeDaysAgo));
    expect((rows as Array<{ via: string; channel: string }>).every((r) => r.via === "kiosk" && r.channel === "counter")).toBe(true);

    // Revoking the kiosk links: the old one stops working.
    const settings = await staff.get(`/organisations/${siteId}/surveys/${spot}/diffusion`);
    await staff.post(`/organisations/${siteId}/surveys/${spot}/reglages`, {
      version: versionOf(settings.body),
      status: "open",
      rotateKiosk: "true",
    });
    expect((await new Client(t.app).get(kiosk)).statusCode).toBe(404);
    expect((await new Client(t.app).api("POST", api, batch)).statusCode).toBe(404);
  });

  it("edits in a draft, makes a new version when answers exist, and keeps old answers on theirs", async () => {
    const editor = `/organisations/${network}/surveys/${surveyId}/questionnaire`;
    let page = await staff.get(editor);
    expect(page.statusCode).toBe(200);
    const added = await staff.post(editor, {
      version: versionOf(page.body),
      op: "add",
      section: "",
      newSection: "Votre visite",
      type: "yes_no",
      label: "Avez-vous dû revenir une seconde fois ?",
      satisfiedWhen: "no",
      commitments: "sp+2021/5",
    });
    expect(added.statusCode).toBe(303);
    // The public form does not change before publication.
    expect((await new Client(t.app).get(`/s/${network}/${surveyId}`)).body).not.toContain("revenir une seconde fois");
    page = await staff.get(editor);
    expect(page.body).toContain("La publication créera la version 2");
    // A stale form is refused and saves nothing.
    const stale = await staff.post(editor, { version: "1", op: "meta", title: "Autre titre" });
    expect(stale.statusCode).toBe(409);
    const unknownTag = await staff.post(editor, {
      version: versionOf(page.body),
      op: "add",
      type: "scale",
      label: "Question mal étiquetée",
      commitments: "sp+2021/99",
    });
    expect(unknownTag.statusCode).toBe(400);
    expect(unknownTag.body).toContain("Engagement inconnu : sp+2021/99.");
    const badJson = await staff.post(editor, { version: versionOf(page.body), op: "json", definition: "{ pas du json" });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.body).toContain("Le texte n&#39;est pas du JSON valide");
    const published = await staff.post(`${editor}/publier`, { version: versionOf(page.body) });
    expect(published.headers.location).toContain("survey.new_version");
    const survey = (await staff.api("GET", `/api/v1/organisations/${network}/surveys`))
      .json()
      .find((s: { id: string }) => s.id === surveyId);
    expect(survey.version).toBe(2);
    expect((await new Client(t.app).get(`/s/${network}/${surveyId}`)).body).toContain("revenir une seconde fois");
    const versions = await t.database.db
      .selectFrom("survey_responses" as never)
      .select("version" as never)
      .where("survey_id" as never, "=", surveyId as never)
      .execute();
    expect(new Set((versions as Array<{ version: number }>).map((v) => v.version))).toEqual(new Set([1]));

    // A typo fixed and declared a correction: the same version, the change in the audit log.
    await respond(sites[0] ?? "", "web", { overall: "4" });
    page = await staff.get(editor);
    await staff.post(editor, {
      version: versionOf(page.body),
      op: "update",
      question: "avez-vous-du-revenir-une-seconde",
      type: "yes_no",
      label: "Avez-vous dû revenir une deuxième fois ?",
      satisfiedWhen: "no",
      commitments: "sp+2021/5",
    });
    page = await staff.get(editor);
    expect((await staff.post(`${editor}/publier`, { version: versionOf(page.body), correction: "true" })).headers.location).toContain(
      "survey.published",
    );
    const after = (await staff.api("GET", `/api/v1/organisations/${network}/surveys`))
      .json()
      .find((s: { id: string }) => s.id === surveyId);
    expect(after.version).toBe(2);
  });

  it("lists free-text comments for moderation, pre-masks personal data and publishes only the reviewed text", async () => {
    await respond(sites[0] ?? "", "counter", {
      overall: "2",
      comment: "Accueil lent. Rappelez-moi au 06 12 34 56 78 ou jean.dupont@example.org",
    });
    const list = await staff.get(`/organisations/${network}/surveys/${surveyId}/commentaires?status=pending`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain("Accueil lent. Rappelez-moi au [masqué] ou [masqué]");
    const responseId = /name="responseId" value="([^"]+)"/.exec(list.body)?.[1] ?? "";
    const version = /name="version" value="(\d+)"/.exec(list.body)?.[1] ?? "";
    const empty = await staff.post(`/organisations/${network}/surveys/${surveyId}/commentaires`, {
      responseId,
      questionId: "comment",
      version,
      status: "published",
      publishedText: " ",
    });
    expect(empty.statusCode).toBe(400);
    const ok = await staff.post(`/organisations/${network}/surveys/${surveyId}/commentaires`, {
      responseId,
      questionId: "comment",
      version,
      status: "published",
      publishedText: "Accueil lent.",
      themes: ["attente", "accueil"],
    });
    expect(ok.statusCode).toBe(303);
    const byTheme = await staff.get(`/organisations/${network}/surveys/${surveyId}/commentaires?theme=attente`);
    expect(byTheme.body).toContain("Publié");
    const { publishedComments } = await import("./surveys.service.ts");
    const published = await publishedComments(t.database.db, network);
    expect(published.map((p) => p.text)).toEqual(["Accueil lent."]);
    expect(JSON.stringify(published)).not.toContain("06 12");
  });
});
