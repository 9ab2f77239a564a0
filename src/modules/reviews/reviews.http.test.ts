import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { EMBEDDED_MARIANNE, NAMES_BEYOND_WINANSI, readPdf } from "../../../test/support/pdf.ts";
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, loadDemo } from "../../cli/demo-data.ts";

const hasPoppler = (() => {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** The demo's town hall reviewed as a newcomer would: the page, then the PDF read as text and as images. */
describe("annual review of the demo", () => {
  let t: TestApp;
  let c: Client;
  let poissy = "";
  let network = "";
  const year = new Date().getFullYear();
  const dir = mkdtempSync(join(tmpdir(), "vigie-review-"));

  beforeAll(async () => {
    t = await startTestApp();
    await loadDemo(t.database.db);
    c = new Client(t.app);
    await c.login(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
    const orgs = (await c.api("GET", "/api/v1/organisations")).json() as Array<{ id: string; name: string }>;
    poissy = orgs.find((o) => o.name === "Ville de Poissy")?.id ?? "";
    network = orgs.find((o) => o.name === "Réseau des maisons France services de l'Est")?.id ?? "";
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it("lists every commitment with its indicators, the plan counted from the actions, and says when a source has no data", async () => {
    const page = await c.get(`/organisations/${poissy}/review?year=${year}`);
    expect(page.statusCode).toBe(200);
    const html = page.body.replaceAll("&#39;", "'");
    for (let n = 1; n <= 12; n++) expect(html).toContain(`Engagement ${n} — `);
    expect(html).toContain("Engagement local — Des réponses aux demandes par mail dans les sept jours");
    expect(html).toContain("Demandes traitées dans le délai annoncé");
    // The demo's mystery calls and visits reach it too.
    const mystery = html.slice(html.indexOf(">Visites et appels mystères</h2>"));
    expect(mystery.slice(0, 3000)).toContain("Score des tests mystère");
    // The demo's call logs reach the review through the calls' indicator source.
    const phone = html.slice(html.indexOf(">Joignabilité téléphonique</h2>"));
    expect(phone.slice(0, 3000)).toContain("Taux de décroché");
    // The demo's survey answers reach the review through the surveys' indicator source.
    const surveys = html.slice(html.indexOf(">Enquêtes de satisfaction</h2>"));
    expect(surveys.slice(0, 2000)).toContain("Satisfaction globale");
    // The plan's counts, computed here from the actions themselves.
    const { actions } = (await c.api("GET", `/api/v1/organisations/${poissy}/actions?year=${year}`)).json() as {
      actions: Array<{ status: string }>;
    };
    const count = (s: string) => actions.filter((a) => a.status === s).length;
    expect(actions.length).toBeGreaterThanOrEqual(20);
    expect(html).toContain(`Aboutie : ${count("done")}`);
    expect(html).toContain(`En cours : ${count("doing")}`);
    expect(html).toContain(`Total : ${actions.length}`);
    expect(html).toContain("<svg");
    const next = (await c.api("GET", `/api/v1/organisations/${poissy}/actions?year=${year + 1}`)).json().actions.length;
    expect(html).toContain(`Actions du plan ${year + 1} à lancer ou en cours (${next})`);
  });

  it.skipIf(!hasPoppler)("makes a PDF whose pages render and whose text lists the commitments", async () => {
    const pdf = await c.get(`/organisations/${poissy}/review.pdf?year=${year}`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const file = join(dir, "bilan.pdf");
    writeFileSync(file, pdf.rawPayload);
    const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    expect(text).toContain(`Bilan annuel ${year}`);
    expect(text).toContain("Ville de Poissy");
    for (let n = 1; n <= 12; n++) expect(text).toMatch(new RegExp(`Engagement ${n} — `));
    expect(text).toContain("Aucune donnée");
    expect(text).toContain("Auto-évaluation");
    expect(text).toContain(`Actions prévues pour ${year + 1}`);
    execFileSync("pdftoppm", ["-png", "-r", "40", file, join(dir, "page")]);
    const pages = readdirSync(dir).filter((f) => f.startsWith("page") && f.endsWith(".png"));
    const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
    const count = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(count).toBeGreaterThan(2);
    expect(pages).toHaveLength(count);
    expect(text).toContain(`page ${count} / ${count}`);
  });

  it.skipIf(!hasPoppler)("prints names as written, in Marianne embedded, tables included (issue #18)", async () => {
    const [person, town, other] = NAMES_BEYOND_WINANSI;
    const org = (
      await c.api("POST", "/api/v1/organisations", {
        name: `Mairie de ${town}`,
        kind: "site",
        timeZone: "Europe/Paris",
        holidayZone: "metropole",
      })
    ).json().id;
    const planned = await c.api("POST", `/api/v1/organisations/${org}/actions`, {
      title: `Accueillir M. ${person} en tchèque`,
      owner: other,
      planYear: year + 1,
    });
    expect(planned.statusCode, planned.body).toBe(201);
    const pdf = await c.get(`/organisations/${org}/review.pdf?year=${year}`);
    expect(pdf.statusCode).toBe(200);
    const { text, fonts } = readPdf(pdf.rawPayload);
    expect(text).toContain(`Bilan annuel ${year} Mairie de ${town}`);
    // The table of next year's actions: the title and the owner, each in its column.
    expect(text).toContain(`Accueillir M. ${person} en tchèque`);
    expect(text).toContain(other);
    expect(text).toContain(`Mairie de ${town} — bilan annuel ${year} — page 1 / `);
    expect(fonts).toMatch(EMBEDDED_MARIANNE);
  });

  it("reviews a whole network, and an organisation out of reach answers 404", async () => {
    const page = await c.get(`/organisations/${network}/review?year=${year}`);
    expect(page.statusCode).toBe(200);
    // The demo's network ends its story on Services Publics+ 2023 (issue #14): its 8 commitments.
    expect(page.body).toContain("Engagement 8 — ");
    const json = (await c.api("GET", `/api/v1/organisations/${network}/review?year=${year}`)).json();
    expect(json.commitments).toHaveLength(8);
    // Satisfaction of the network: every answer of the year given on its sites' links, counted here from the responses.
    const answered = await t.database.db
      .selectFrom("survey_responses" as never)
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("org_id" as never, "=", network as never)
      .where("answered_on" as never, ">=", `${year}-01-01` as never)
      .where("answered_on" as never, "<=", `${year}-12-31` as never)
      .executeTakeFirstOrThrow();
    const satisfaction = json.sections
      .find((s: { key: string }) => s.key === "surveys")
      .indicators.find((i: { key: string; channel: string | null }) => i.key === "surveys.satisfaction" && !i.channel);
    expect(Number(answered.n)).toBeGreaterThan(0);
    expect(satisfaction.sample).toBe(Number(answered.n));
    // The network's plan adds up its sites' plans: counted here site by site, from the actions themselves.
    const orgs = (await c.api("GET", "/api/v1/organisations")).json() as Array<{ id: string; kind: string; path: string[] }>;
    const sites = orgs.filter((o) => o.kind === "site" && o.path.includes(network));
    let total = 0;
    for (const site of sites) {
      const own = (await c.api("GET", `/api/v1/organisations/${site.id}/actions?year=${year}`)).json().actions.length;
      expect(own, "chaque site du réseau de démonstration a son plan").toBeGreaterThan(0);
      total += own;
    }
    const networkActions = (await c.api("GET", `/api/v1/organisations/${network}/actions?year=${year}`)).json().actions.length;
    expect(networkActions).toBe(total);
    expect(page.body).toContain(`Total : ${total}`);
    // Self-assessment, plan and staff of the network: its sites' own, never « Aucune donnée ».
    const html = page.body.replaceAll("&#39;", "'");
    for (const heading of ["<h2>Auto-évaluation</h2>", "<h2>Plan d'actions</h2>", "<h2>Agents et formations</h2>"]) {
      const from = html.indexOf(heading);
      expect(from, heading).toBeGreaterThan(0);
      const section = html.slice(from + heading.length, html.indexOf("<h2", from + heading.length));
      expect(section, heading).not.toContain("Aucune donnée");
    }
    const agent = new Client(t.app);
    await agent.login("agent.strasbourg@demo.vigie.fr", DEMO_PASSWORD);
    expect((await agent.get(`/organisations/${poissy}/review.pdf`)).statusCode).toBe(404);
  });
});
