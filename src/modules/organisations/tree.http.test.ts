import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { countingQueries } from "../../../test/support/query-count.ts";
import { buildServer } from "../../app/server.ts";
import { loadConfig } from "../../kernel/config.ts";

/** The organisation tree page (issue #13): nested by level, searchable without accents, with counts. */
describe("the organisation tree, on a real database", () => {
  let t: TestApp;
  let c: Client;
  let network = "";
  let region = "";
  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const base = { timeZone: "Europe/Paris", holidayZone: "metropole" };
    const make = async (name: string, kind: string, parentId?: string) =>
      (await c.api("POST", "/api/v1/organisations", { ...base, name, kind, ...(parentId ? { parentId } : {}) })).json().id as string;
    network = await make("Réseau des mairies", "network");
    region = await make("Île-de-France", "region", network);
    const andresy = await make("Mairie d'Andrésy", "site", region);
    await make("Mairie de Poissy", "site", region);
    await make("Mairie de Lyon", "site", network);
    for (const subject of ["Un", "Deux"]) {
      await c.api("POST", `/api/v1/organisations/${andresy}/requests`, {
        kind: "request",
        channel: "letter",
        receivedOn: "2025-03-03",
        subject,
      });
    }
  }, 60_000);
  afterAll(() => t.close());

  /** The text of the list item of a node, up to its own nested list. */
  const item = (html: string, name: string) => {
    const at = html.indexOf(`>${name}</a>`);
    expect(at, name).toBeGreaterThan(-1);
    return html.slice(
      at,
      html.indexOf("<ul", at) > -1 ? Math.min(html.indexOf("</li>", at), html.indexOf("<ul", at)) : html.indexOf("</li>", at),
    );
  };

  it("nests each level in its parent's list, with the sites below and the open requests", async () => {
    const page = (await c.get("/organisations")).body;
    // Réseau › Île-de-France › Andrésy: three lists deep.
    expect(page).toMatch(
      /<ul class="vigie-tree"><li><a href="[^"]+">Réseau des mairies<\/a>.*?<ul><li><a href="[^"]+">Île-de-France<\/a>.*?<ul><li><a href="[^"]+">Mairie d&#39;Andrésy<\/a>/s,
    );
    expect(item(page, "Réseau des mairies")).toContain("3\u00a0sites · 2\u00a0demandes ouvertes");
    expect(item(page, "Île-de-France")).toContain("2\u00a0sites · 2\u00a0demandes ouvertes");
    expect(item(page, "Mairie d&#39;Andrésy")).toContain("2\u00a0demandes ouvertes");
    expect(item(page, "Mairie de Lyon")).toContain("0\u00a0demande ouverte");
  });

  it("finds a site by its name without accents, shown under its region and network", async () => {
    const page = (await c.get("/organisations?q=ANDRESY")).body;
    expect(page).toContain("1\u00a0organisation trouvée pour « ANDRESY »");
    expect(page).toContain('class="vigie-tree__match">Mairie d&#39;Andrésy</a>');
    expect(page).toContain(">Île-de-France</a>");
    expect(page).not.toContain(">Mairie de Poissy</a>");
    expect((await c.get("/organisations?q=%25")).body).toContain("Aucune organisation dont le nom contient « % ».");
  });

  it("reads the tree in the same number of statements for 50 sites and for 500", async () => {
    const counter = countingQueries(t.database.db);
    const app = await buildServer({ db: counter.db, config: loadConfig({ DATA_DIR: "/nonexistent" }) });
    await app.ready();
    try {
      const counted = new Client(app);
      await counted.login(ADMIN.email, ADMIN.password);
      const addSites = (n: number, from: number) =>
        sql`
          insert into organisations (id, parent_id, path, kind, name)
          select id, ${region}::uuid, array[${network}::uuid, ${region}::uuid, id], 'site', 'Site n° ' || i
          from (select gen_random_uuid() as id, i from generate_series(${from}::int, ${from + n - 1}::int) as i) as s
        `.execute(t.database.db);
      const measure = async () => {
        const costs: number[] = [];
        for (const url of ["/organisations", "/organisations?q=site"]) {
          counter.reset();
          expect((await counted.get(url)).statusCode).toBe(200);
          costs.push(counter.count);
        }
        return costs;
      };
      await addSites(47, 1);
      const at50 = await measure();
      await addSites(450, 48);
      const at500 = await measure();
      expect(at500).toEqual(at50);
      expect(item((await counted.get("/organisations")).body, "Réseau des mairies")).toContain("500\u00a0sites");
    } finally {
      await app.close();
    }
  }, 60_000);
});
