import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";

describe("the label file of an organisation, on a real database", () => {
  let t: TestApp;
  let c: Client;
  let site = "";
  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const base = { timeZone: "Europe/Paris", holidayZone: "metropole" };
    site = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Mairie", kind: "site" })).json().id;
    await c.api("PUT", `/api/v1/organisations/${site}/framework`, { frameworkId: "sp+2023" });
  });
  afterAll(() => t.close());

  it("records the audit and shows the 3-year validity; a bad date changes nothing", async () => {
    await c.get(`/organisations/${site}/label`);
    const bad = await c.post(`/organisations/${site}/label`, { auditOn: "demain", level: "platine" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.replaceAll("\u00a0", " ")).toContain("Audit : indiquez une date");
    expect(bad.body.replaceAll("\u00a0", " ")).toContain("Niveau inconnu");
    expect((await c.get(`/organisations/${site}/label`)).body).toContain("pas de label attribué");
    const ok = await c.post(`/organisations/${site}/label`, {
      candidacyOn: "2026-01-15",
      auditOn: "2026-03-10",
      body: "Bureau Veritas Certification",
      level: "argent",
      certifiedOn: "2026-04-01",
      followUpOn: "2027-10-01",
    });
    expect(ok.statusCode).toBe(303);
    const page = (await c.get(`/organisations/${site}/label`)).body.replaceAll("\u00a0", " ");
    expect(page).toContain("par Bureau Veritas Certification");
    expect(page).toContain("Argent");
    expect(page).toContain("au 31 mars 2029 (3 ans)");
  });

  it("turns each finding into an action of the plan with its deadline", async () => {
    const missing = await c.post(`/organisations/${site}/label/findings`, { kind: "non_conformity", text: "", dueOn: "" });
    expect(missing.statusCode).toBe(400);
    expect(missing.body.replaceAll("\u00a0", " ")).toContain("Décrivez le constat.");
    for (const [kind, text, dueOn] of [
      ["non_conformity", "Les délais de réponse aux courriels ne sont pas affichés", "2026-06-30"],
      ["remark", "La signalétique de l'accueil est peu lisible", "2026-09-30"],
    ] as const) {
      expect((await c.post(`/organisations/${site}/label/findings`, { kind, text, dueOn })).statusCode).toBe(303);
    }
    const page = (await c.get(`/organisations/${site}/label`)).body.replaceAll("\u00a0", " ");
    expect(page).toContain("Non-conformité : Les délais de réponse aux courriels ne sont pas affichés — échéance 30 juin 2026");
    const plan = (await c.get(`/organisations/${site}/actions`)).body.replaceAll("\u00a0", " ");
    expect(plan).toContain("Audit du label — non-conformité : Les délais de réponse aux courriels ne sont pas affichés");
    expect(plan).toContain("Audit du label — remarque : La signalétique de l&#39;accueil est peu lisible");
  });

  it("lists what the audit asks for with its state in Vigie", async () => {
    const page = (await c.get(`/organisations/${site}/label`)).body.replaceAll("\u00a0", " ");
    const row = (key: string) => page.split(`id="check-${key}"`)[1]?.split("</tr>")[0] ?? "";
    expect(row("plan")).toContain("Présent");
    expect(row("plan")).toContain("2 actions au plan.");
    expect(row("assessment")).toContain("Manquant");
    expect(row("results")).toContain("Manquant");
    expect(row("survey")).toContain("Manquant");
    expect(row("training")).toContain("Manquant");
  });

  it("creates each survey of the label from its template, and counts it once answered", async () => {
    const before = (await c.get(`/organisations/${site}/label`)).body;
    expect(before).toContain('name="template" value="label-users"');
    expect(before).toContain('name="template" value="label-agents"');
    const created = await c.post(`/organisations/${site}/surveys`, { template: "label-agents" });
    expect(created.statusCode).toBe(303);
    const surveyId = String(created.headers.location).split("/")[4] ?? "";
    const row = async (key: string) =>
      (await c.get(`/organisations/${site}/label`)).body.replaceAll("\u00a0", " ").split(`id="check-${key}"`)[1]?.split("</tr>")[0] ?? "";
    const waiting = await row("agents");
    expect(waiting).toContain("Manquant");
    expect(waiting).toContain("créée, encore sans réponse");
    expect(waiting).not.toContain('name="template"');
    const form = (await c.api("GET", `/api/v1/public/organisations/${site}/surveys/${surveyId}`)).json();
    const url = `/api/v1/public/organisations/${site}/surveys/${surveyId}/responses`;
    const sent = await c.api("POST", url, { formToken: form.formToken, answers: { trained: "yes", "tools-suited": "rather-agree" } });
    expect(sent.statusCode).toBe(201);
    const answered = await row("agents");
    expect(answered).toContain("Présent");
    expect(answered).toContain("Les engagements de service vus par les agents » : 1 réponse.");
    // The agents' answers are not the users' satisfaction.
    expect(await row("survey")).toContain("Manquant");
  });
});
