import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";

/**
 * The action plan, the self-assessments and the staff of a network node list every site's rows (issue #13), with a « Site »
 * column, a site filter that ignores accents, and « Suivant » pages that reach each row once.
 */
describe("the actions and staff of a network, on a real database", () => {
  let t: TestApp;
  let c: Client;
  let network = "";
  const sites: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const base = { timeZone: "Europe/Paris", holidayZone: "metropole" };
    network = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Réseau", kind: "network" })).json().id;
    for (const name of ["Mairie d'Andrésy", "Mairie de Poissy"]) {
      sites[name] = (await c.api("POST", "/api/v1/organisations", { ...base, name, kind: "site", parentId: network })).json().id;
    }
    // 70 actions in Poissy, 40 in Andrésy: each site numbers its own from 1.
    for (const [name, n] of [
      ["Mairie de Poissy", 70],
      ["Mairie d'Andrésy", 40],
    ] as const) {
      for (let i = 1; i <= n; i++) {
        const created = await c.api("POST", `/api/v1/organisations/${sites[name]}/actions`, {
          title: `Action ${i} de ${name}`,
          planYear: 2025,
          ...(i % 3 ? { dueOn: `2025-0${1 + (i % 9)}-15` } : {}),
        });
        expect(created.statusCode).toBe(201);
      }
    }
    // 60 agents in Poissy and 3 in Andrésy (written directly: the list, not the form, is under test).
    await sql`
      insert into staff_members (org_id, name, job)
      select ${sites["Mairie de Poissy"]}::uuid, 'Agent ' || lpad(i::text, 2, '0'), 'Accueil' from generate_series(1, 60) as i
      union all
      select ${sites["Mairie d'Andrésy"]}::uuid, 'Agente ' || i, 'Standard' from generate_series(1, 3) as i
    `.execute(t.database.db);
  }, 120_000);
  afterAll(() => t.close());

  /** Rows of the first table of a page: [number or name, site]. */
  const cells = (html: string) =>
    [...html.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) =>
      [...(m[1] ?? "").matchAll(/<td>(.*?)<\/td>/gs)].map((td) => (td[1] ?? "").replace(/<[^>]+>/g, "").trim()),
    );

  it("lists every site's actions on the network's plan, with their site, 100 a page, each once", async () => {
    const first = await c.get(`/organisations/${network}/actions`);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain("<caption>Actions (110)</caption>");
    expect(first.body).toContain('<th scope="col">Site</th>');
    const seen: string[] = [];
    let html = first.body;
    for (let guard = 0; guard < 5; guard++) {
      // With the bulk checkboxes first: [choose, number, site, title…].
      const list = html.slice(html.indexOf("<caption>Actions ("));
      for (const row of cells(list)) if (row.length > 3) seen.push(`${row[2]} ${row[1]}`);
      const next = /href="([^"]+)"[^>]*>\s*Suivant/.exec(html)?.[1];
      if (!next) break;
      html = (await c.get(next.replaceAll("&amp;", "&"))).body;
    }
    expect(seen).toHaveLength(110);
    expect(new Set(seen).size).toBe(110);
    expect(seen).toContain("Mairie d&#39;Andrésy 1");
    expect(seen).toContain("Mairie de Poissy 1");
    const andresy = await c.get(`/organisations/${network}/actions?site=ANDRESY`);
    expect(andresy.body).toContain("<caption>Actions (40)</caption>");
    expect(andresy.body).not.toContain(">Mairie de Poissy</a>");
    expect((await c.get(`/organisations/${network}/actions?after=abc`)).statusCode).toBe(400);
  });

  it("lists every site's agents on the network's staff page, with their site, and a site filter", async () => {
    const page = await c.get(`/organisations/${network}/staff`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Agents du site et de ce qui lui est rattaché : 63");
    const rows = cells(page.body).filter((r) => r.length === 5);
    expect(rows).toHaveLength(50);
    expect(rows[0]?.slice(0, 2)).toEqual(["Agente 1", "Mairie d&#39;Andrésy"]);
    const next = /href="([^"]+)"[^>]*>\s*Suivant/.exec(page.body)?.[1] ?? "";
    const second = cells((await c.get(next.replaceAll("&amp;", "&"))).body).filter((r) => r.length === 5);
    expect(second.map((r) => r[0])).toEqual(["Agent 48", "Agent 49", ...Array.from({ length: 11 }, (_, i) => `Agent ${50 + i}`)]);
    const poissy = await c.get(`/organisations/${network}/staff?site=poissy`);
    expect(poissy.body).toContain("Agents du site et de ce qui lui est rattaché : 60");
    const edited = await c.get(`/organisations/${network}/staff?after=abc`);
    expect(edited.statusCode).toBe(200);
    expect(edited.body).toContain("Ce lien de page n&#39;est plus valable");
  });

  it("lists every site's self-assessments on the network's page, with their site, and a site filter", async () => {
    await c.api("PUT", `/api/v1/organisations/${network}/framework`, { frameworkId: "marianne-2008" });
    for (const name of ["Mairie d'Andrésy", "Mairie de Poissy"]) {
      for (const year of ["2025", "2026"]) {
        await c.get(`/organisations/${sites[name]}/assessments`);
        const opened = await c.post(`/organisations/${sites[name]}/assessments`, { year });
        expect(opened.statusCode, opened.body).toBe(303);
      }
    }
    const page = await c.get(`/organisations/${network}/assessments`);
    expect(page.body).toContain("Campagnes d&#39;auto-évaluation, du site et de ce qui lui est rattaché : 4");
    const rows = cells(page.body).filter((r) => r.length === 5);
    expect(rows.map((r) => `${r[0]} ${r[1]}`)).toEqual([
      "Auto-évaluation 2026 Mairie d&#39;Andrésy",
      "Auto-évaluation 2026 Mairie de Poissy",
      "Auto-évaluation 2025 Mairie d&#39;Andrésy",
      "Auto-évaluation 2025 Mairie de Poissy",
    ]);
    const poissy = await c.get(`/organisations/${network}/assessments?site=POISSY`);
    expect(
      cells(poissy.body)
        .filter((r) => r.length === 5)
        .map((r) => r[1]),
    ).toEqual(["Mairie de Poissy", "Mairie de Poissy"]);
    expect((await c.get(`/organisations/${network}/assessments?after=abc`)).statusCode).toBe(400);
  });
});
