import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";

/** The hidden fields of the commitment form, and one status for every requirement. */
function answerForm(html: string, status: string, index: number): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="(r\d+-(?:id|version))" value="([^"]*)"/g)) fields[m[1] ?? ""] = m[2] ?? "";
  const count = Object.keys(fields).filter((k) => k.endsWith("-id")).length;
  for (let n = 1; n <= count; n++) fields[`r${n}-status`] = status;
  return { index: String(index), ...fields };
}

describe("a site moving from SP+ 2021 to SP+ 2023 keeps its self-assessment history", () => {
  let t: TestApp;
  let c: Client;
  let site = "";
  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const base = { timeZone: "Europe/Paris", holidayZone: "metropole" };
    site = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Mairie", kind: "site" })).json().id;
    await c.api("PUT", `/api/v1/organisations/${site}/framework`, { frameworkId: "sp+2021" });
  });
  afterAll(() => t.close());

  async function openCampaign(year: number): Promise<string> {
    await c.get(`/organisations/${site}/assessments`);
    const res = await c.post(`/organisations/${site}/assessments`, { year: String(year) });
    expect(res.statusCode).toBe(303);
    return String(res.headers.location).split("/")[4]?.split("?")[0] ?? "";
  }

  it("compares the 2023 commitments with last year's scores under SP+ 2021, and says with which", async () => {
    const before = await openCampaign(2025);
    // 2021 n° 1 fully met, n° 7 and n° 8 not met, the rest left blank.
    for (const [index, status] of [
      [1, "met"],
      [7, "not_met"],
      [8, "not_met"],
    ] as const) {
      const form = await c.get(`/organisations/${site}/assessments/${before}/commitments/${index}`);
      const res = await c.post(`/organisations/${site}/assessments/${before}/commitments/${index}`, answerForm(form.body, status, index));
      expect(res.statusCode).toBe(303);
    }
    expect((await c.api("PUT", `/api/v1/organisations/${site}/framework`, { frameworkId: "sp+2023" })).statusCode).toBe(204);
    const now = await openCampaign(2026);
    const form = await c.get(`/organisations/${site}/assessments/${now}/commitments/1`);
    expect(form.body).toContain("vous êtes accueillis avec bienveillance et avez le droit à l’erreur");
    await c.post(`/organisations/${site}/assessments/${now}/commitments/1`, answerForm(form.body, "partly", 1));

    const json = (await c.api("GET", `/api/v1/organisations/${site}/assessments/${now}`)).json();
    const byId = new Map(json.commitments.map((x: { id: string }) => [x.id, x]));
    expect(byId.get("sp+2023/1")).toMatchObject({ lastYear: 100, lastYearFrom: ["sp+2021/1"] });
    expect(byId.get("sp+2023/7")).toMatchObject({ lastYear: 0, lastYearFrom: ["sp+2021/7", "sp+2021/8"] });
    // Commitment 5 has no counterpart in 2021: no comparison rather than an invented one.
    expect(byId.get("sp+2023/5")).toMatchObject({ lastYear: null, lastYearFrom: null });

    const page = await c.get(`/organisations/${site}/assessments/${now}`);
    expect(page.body).toContain("selon l’ancien référentiel, engagement n°\u00a01 (sp+2021)");
    expect(page.body).toContain("selon l’ancien référentiel, engagements n°\u00a07 et 8 (sp+2021)");
  });
});
