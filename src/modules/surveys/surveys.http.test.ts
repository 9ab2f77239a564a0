import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { engineName } from "../../../test/support/database.ts";
import { escapeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { REQUIRED_MESSAGE } from "./answers.ts";
import { formatEstimate, netSatisfaction, satisfactionRate, Z_95 } from "./statistics.ts";
import { ALREADY_SENT_MESSAGE } from "./surveys.service.ts";

/** What the page shows for a text the server escaped. */
const html = escapeHtml;

const tokenOf = (body: string) => /name="_form" value="([^"]+)"/.exec(body)?.[1] ?? "";

describe(`satisfaction surveys on ${engineName}`, () => {
  let t: TestApp;
  let staff: Client;
  let orgId = "";
  let surveyId = "";
  beforeAll(async () => {
    t = await startTestApp();
    staff = await adminClient(t);
    orgId = (
      await staff.api("POST", "/api/v1/organisations", { name: "Mairie", kind: "site", timeZone: "Europe/Paris", holidayZone: "metropole" })
    ).json().id;
  });
  afterAll(() => t.close());

  /** A respondent: opens the public page, fills it in, sends it. */
  const answer = async (fields: Record<string, string | string[]>) => {
    const c = new Client(t.app);
    const page = await c.get(`/s/${orgId}/${surveyId}`);
    expect(page.statusCode).toBe(200);
    return c.post(`/s/${orgId}/${surveyId}`, { _form: tokenOf(page.body), ...fields });
  };

  it("creates a survey from the annual template", async () => {
    const list = await staff.get(`/organisations/${orgId}/surveys`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain("Créer une enquête à partir d");
    const bad = await staff.post(`/organisations/${orgId}/surveys`, { template: "inconnu" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Choisissez un modèle de questionnaire.");
    const created = await staff.post(`/organisations/${orgId}/surveys`, { template: "annual", channel: "" });
    expect(created.statusCode).toBe(303);
    const match = /\/surveys\/([0-9a-f-]{36})\/diffusion\?ok=survey\.created$/.exec(String(created.headers.location));
    surveyId = match?.[1] ?? "";
    expect(surveyId).not.toBe("");
    expect((await staff.get(`/organisations/${orgId}/surveys`)).body).toContain(`/s/${orgId}/${surveyId}`);
  });

  it("shows every question without script, smileys and scales as labelled radios, conditions in words", async () => {
    const page = await new Client(t.app).get(`/s/${orgId}/${surveyId}`);
    expect(page.body).toContain(html("Votre avis sur notre accueil"));
    expect(page.body).toContain('type="radio" id="q-overall-5" name="overall" value="5"');
    expect(page.body).toContain("Très satisfait");
    // The phone question depends on the channel: shown anyway, with its condition written out.
    expect(page.body).toContain('name="phone-reachability"');
    expect(page.body).toContain("Répondez si vous nous avez contactés par téléphone.");
    expect(page.body).toContain("Répondez si nos horaires ne vous conviennent pas.");
    expect(page.body).toContain('name="_website"');
    expect(tokenOf(page.body)).not.toBe("");
  });

  it("refuses a response without the required question, in French, keeping every answer", async () => {
    const response = await answer({ channel: "counter", courtesy: "4", comment: "Très bon accueil" });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(REQUIRED_MESSAGE);
    expect(response.body).toContain('id="q-courtesy-4" name="courtesy" value="4" checked');
    expect(response.body).toContain('id="q-channel-counter" name="channel" value="counter" checked');
    expect(response.body).toContain("Très bon accueil</textarea>");
    const rows = await t.database.db
      .selectFrom("survey_responses" as never)
      .selectAll()
      .execute();
    expect(rows).toHaveLength(0);
  });

  it("records a valid response once, drops a hidden question's answer, and refuses the same form twice", async () => {
    const c = new Client(t.app);
    const page = await c.get(`/s/${orgId}/${surveyId}`);
    // The channel is the counter: the phone question is hidden and its answer dropped, not refused.
    const fields = { _form: tokenOf(page.body), channel: "counter", "phone-reachability": "1", courtesy: "5", overall: "5" };
    const first = await c.post(`/s/${orgId}/${surveyId}`, fields);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`/s/${orgId}/${surveyId}/merci`);
    expect((await c.get(String(first.headers.location))).body).toContain("Merci pour votre participation.");
    const again = await c.post(`/s/${orgId}/${surveyId}`, fields);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain(html(ALREADY_SENT_MESSAGE));
    expect(again.body).not.toContain('name="_form"');
    const forged = await c.post(`/s/${orgId}/${surveyId}`, { ...fields, _form: `${fields._form.slice(0, -2)}xx` });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain(html("Ce formulaire a expiré ou n'est pas valide"));
    const rows = await t.database.db
      .selectFrom("survey_responses" as never)
      .selectAll()
      .execute();
    expect(rows).toHaveLength(1);
    expect((rows[0] as { answers: unknown }).answers).toEqual({ channel: "counter", courtesy: "5", overall: "5" });
  });

  it("stores no address nor anything that identifies the respondent", async () => {
    const columns = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_name = 'survey_responses' and table_schema = current_schema()
      order by ordinal_position`.execute(t.database.db);
    expect(columns.rows.map((r) => r.column_name)).toEqual([
      "org_id",
      "id",
      "survey_id",
      "version",
      "channel",
      "answered_on",
      "answers",
      "form_token_hash",
      "site_id",
      "via",
    ]);
    const rows = await t.database.db
      .selectFrom("survey_responses" as never)
      .selectAll()
      .execute();
    expect(JSON.stringify(rows)).not.toContain("127.0.0.1");
  });

  it("thanks a robot that filled the hidden field and stores nothing", async () => {
    const response = await answer({ overall: "1", _website: "http://spam.example" });
    expect(response.statusCode).toBe(303);
    const rows = await t.database.db
      .selectFrom("survey_responses" as never)
      .selectAll()
      .execute();
    expect(rows).toHaveLength(1);
  });

  it("answers through the JSON API with the same checks", async () => {
    const c = new Client(t.app);
    const form = (await c.api("GET", `/api/v1/public/organisations/${orgId}/surveys/${surveyId}`)).json();
    expect(form.questionnaire.sections.length).toBeGreaterThan(0);
    const url = `/api/v1/public/organisations/${orgId}/surveys/${surveyId}/responses`;
    const missing = await c.api("POST", url, { formToken: form.formToken, answers: { courtesy: 4 } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().fields).toEqual({ overall: REQUIRED_MESSAGE });
    expect((await c.api("POST", url, { formToken: form.formToken, answers: { overall: 2, recommendation: 6 } })).statusCode).toBe(201);
    const twice = await c.api("POST", url, { formToken: form.formToken, answers: { overall: 2 } });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error).toBe(ALREADY_SENT_MESSAGE);
  });

  it("shows n, the satisfaction rate and net satisfaction with the intervals statistics.ts gives, and the small-sample warning", async () => {
    // So far: overall 5 (form) and 2 (API). Add 4, 4, 3 → satisfied 3, neutral 1, dissatisfied 1 of 5.
    for (const overall of ["4", "4", "3"]) expect((await answer({ overall })).statusCode).toBe(303);
    const counts = { satisfied: 3, neutral: 1, dissatisfied: 1 };
    const rate = satisfactionRate(counts);
    const net = netSatisfaction(counts);
    if (!rate || !net) throw new Error("no estimate");
    // Wilson by hand, apart from statistics.ts: 3 of 5.
    const [n, p, z2] = [5, 3 / 5, Z_95 ** 2];
    const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const half = (Z_95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
    expect(rate.low).toBeCloseTo(centre - half, 10);
    expect(rate.high).toBeCloseTo(centre + half, 10);

    const results = (await staff.api("GET", `/api/v1/organisations/${orgId}/surveys/${surveyId}/results`)).json();
    expect(results.responses).toBe(5);
    const overall = results.questions.find((q: { id: string }) => q.id === "overall");
    expect(overall.answered).toBe(5);
    expect(overall.satisfaction.value).toBeCloseTo(0.6, 10);
    expect(overall.satisfaction.low).toBeCloseTo(centre - half, 10);
    expect(overall.satisfaction.high).toBeCloseTo(centre + half, 10);
    expect(overall.net.low).toBeCloseTo(net.low, 10);
    expect(overall.net.high).toBeCloseTo(net.high, 10);
    expect(overall.satisfaction.warning.code).toBe("small_sample");
    const month = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit" }).format(new Date());
    expect(overall.months).toHaveLength(1);
    expect(overall.months[0].month).toBe(month);
    expect(overall.months[0].answered).toBe(5);

    const page = await staff.get(`/organisations/${orgId}/surveys/${surveyId}`);
    expect(page.statusCode).toBe(200);
    // The words and figures; the no-break spaces are the typography test's business.
    const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");
    const body = plain(page.body);
    expect(body).toContain("5 réponses");
    expect(body).toContain(`Taux de satisfaction : ${plain(formatEstimate(rate, "percent"))}, sur 5 réponses`);
    expect(body).toContain(`Satisfaction nette : ${plain(formatEstimate(net, "points"))}`);
    expect(body).toContain("Moins de 30 réponses (5) : résultat indicatif.");
  });

  it("keeps results and creation to those allowed: an agent reads, cannot create", async () => {
    await staff.api("POST", "/api/v1/accounts", {
      email: "agent@mairie.fr",
      displayName: "Agent",
      password: "mot de passe du guichet",
      role: "agent",
      orgId,
    });
    const agent = new Client(t.app);
    await agent.login("agent@mairie.fr", "mot de passe du guichet");
    expect((await agent.get(`/organisations/${orgId}/surveys/${surveyId}`)).statusCode).toBe(200);
    const list = await agent.get(`/organisations/${orgId}/surveys`);
    expect(list.body).not.toContain("Créer l&#39;enquête");
    expect((await agent.post(`/organisations/${orgId}/surveys`, { template: "annual" })).statusCode).toBe(403);
    expect((await agent.api("POST", `/api/v1/organisations/${orgId}/surveys`, { template: "annual" })).statusCode).toBe(403);
    expect((await new Client(t.app).get(`/organisations/${orgId}/surveys/${surveyId}`)).statusCode).toBe(302);
  });
});
