import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { countingQueries } from "../../../test/support/query-count.ts";
import { buildServer } from "../../app/server.ts";
import { loadConfig } from "../../kernel/config.ts";

interface Listed {
  id: string;
  orgId: string;
  orgName: string;
  number: string;
  subject: string;
  channel: string;
  kind: string;
  receivedOn: string;
  dueOn: string | null;
}
interface ListPage {
  items: Listed[];
  total: number;
  next: string | null;
  previous: string | null;
}

/**
 * The request list of a network (issue #13): every site's requests with the site's name, filters that
 * combine, keyset pages that reach each row once, and a cost that does not grow with the sites.
 */
describe("the request list of a network, on a real database", () => {
  let t: TestApp;
  let c: Client;
  let network = "";
  const sites: Record<string, string> = {};
  const CHANNELS = ["letter", "email", "counter"] as const;

  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const base = { timeZone: "Europe/Paris", holidayZone: "metropole" };
    network = (await c.api("POST", "/api/v1/organisations", { ...base, name: "Réseau des mairies", kind: "network" })).json().id;
    await c.api("PUT", `/api/v1/organisations/${network}/framework`, { frameworkId: "marianne-2008" });
    const region = (
      await c.api("POST", "/api/v1/organisations", { ...base, name: "Île-de-France", kind: "region", parentId: network })
    ).json().id;
    for (const name of ["Mairie d'Andrésy", "Mairie de Poissy", "Mairie de Conflans"]) {
      sites[name] = (await c.api("POST", "/api/v1/organisations", { ...base, name, kind: "site", parentId: region })).json().id;
    }
    // 130 requests over three sites, the same year: each site numbers from 2025-000001.
    const counts: Record<string, number> = { "Mairie d'Andrésy": 50, "Mairie de Poissy": 60, "Mairie de Conflans": 20 };
    for (const [name, n] of Object.entries(counts)) {
      for (let i = 0; i < n; i++) {
        const day = String(1 + (i % 28)).padStart(2, "0");
        const created = await c.api("POST", `/api/v1/organisations/${sites[name]}/requests`, {
          kind: i % 4 === 0 ? "complaint" : "request",
          channel: CHANNELS[i % 3],
          receivedOn: `2025-0${1 + (i % 6)}-${day}`,
          subject: i % 10 === 0 ? `Acte d'état civil n° ${i}` : `Courrier ${i}`,
          requesterName: i % 7 === 0 ? "Hélène Müller" : "Jean Dupont",
        });
        expect(created.statusCode).toBe(201);
      }
    }
  }, 180_000);
  afterAll(() => t.close());

  const list = async (query = ""): Promise<ListPage> => {
    const response = await c.api("GET", `/api/v1/organisations/${network}/requests${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  /** Every row of a list, following « next » from the first page. */
  const walk = async (query: string) => {
    const rows: Listed[] = [];
    let page = await list(`?${query}`);
    const total = page.total;
    for (let guard = 0; guard < 20; guard++) {
      rows.push(...page.items);
      if (!page.next) break;
      page = await list(`?${query}&after=${page.next}`);
    }
    return { rows, total };
  };

  it("lists every site's requests on the network's first page, each with its site's name", async () => {
    const first = await list();
    expect(first.total).toBe(130);
    expect(first.items).toHaveLength(50);
    expect(new Set(first.items.map((r) => r.orgName)).size).toBeGreaterThan(1);
    // The page a person reads: a « Site » column, and « 2025-000001 » of two sites told apart by it.
    const page = await c.get(`/organisations/${network}/requests?sort=number`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<th scope="col">Site</th>');
    expect(page.body).toContain("130\u00a0demandes");
    const rows = [...page.body.matchAll(/<tr>\s*<td><a href="[^"]+">(2025-\d{6})<\/a><\/td><td><a href="[^"]+">([^<]+)<\/a>/g)];
    const firstNumber = rows.filter((m) => m[1] === "2025-000001").map((m) => m[2]);
    expect(firstNumber.sort()).toEqual(["Mairie d&#39;Andrésy", "Mairie de Conflans", "Mairie de Poissy"]);
  });

  it("reaches every row exactly once by « Suivant », in each order, and comes back by « Précédent »", async () => {
    for (const sort of ["due", "received", "number"]) {
      const { rows, total } = await walk(`sort=${sort}`);
      expect(rows).toHaveLength(total);
      expect(new Set(rows.map((r) => r.id)).size).toBe(130);
      const keys = rows.map((r) =>
        sort === "due"
          ? `${r.dueOn ?? "9999"}|${r.receivedOn}|${r.id}`
          : sort === "received"
            ? `${r.receivedOn}|${r.id}`
            : `${r.number}|${r.id}`,
      );
      const sorted = [...keys].sort();
      expect(keys).toEqual(sort === "received" ? sorted.reverse() : sorted);
    }
    const first = await list("?sort=received");
    const second = await list(`?sort=received&after=${first.next}`);
    expect(second.previous).not.toBeNull();
    const back = await list(`?sort=received&before=${second.previous}`);
    expect(back.items.map((r) => r.id)).toEqual(first.items.map((r) => r.id));
    expect(back.previous).toBeNull();
    expect(back.next).toBe(first.next);
  });

  it("combines the filters: site by part of its name without accents, channel, kind, dates, search", async () => {
    const { rows: all } = await walk("");
    const poissyEmail = await walk("site=poissy&channel=email&from=2025-02-01&to=2025-04-30");
    const expected = all.filter(
      (r) => r.orgName === "Mairie de Poissy" && r.channel === "email" && r.receivedOn >= "2025-02-01" && r.receivedOn <= "2025-04-30",
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(poissyEmail.total).toBe(expected.length);
    expect(poissyEmail.rows.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id).sort());
    // « andresy » finds « Andrésy »; « etat civil » finds « état civil »; « MULLER » finds « Müller ».
    const andresy = await walk("site=andresy&q=etat%20civil&kind=complaint");
    expect(andresy.rows.length).toBeGreaterThan(0);
    expect(
      andresy.rows.every((r) => r.orgName === "Mairie d'Andrésy" && r.subject.startsWith("Acte d'état civil") && r.kind === "complaint"),
    ).toBe(true);
    expect(andresy.total).toBe(
      all.filter((r) => r.orgName === "Mairie d'Andrésy" && r.subject.includes("état civil") && r.kind === "complaint").length,
    );
    expect((await list("?q=MULLER")).total).toBeGreaterThan(0);
    // The same filters on the page (a GET form), kept in the « Suivant » link.
    const page = await c.get(`/organisations/${network}/requests?site=poissy&sort=number`);
    expect(page.body).toContain("Toutes : 60\u00a0demandes");
    expect(page.body).not.toContain(">Mairie de Conflans</a>");
    expect(page.body).toMatch(/href="[^"]*site=poissy[^"]*after=[^"]+"[^>]*>\s*Suivant/);
    expect((await list("?site=poissy&late=on")).items.every((r) => r.dueOn !== null && r.dueOn < "2026-12-31")).toBe(true);
  });

  it("refuses a bad filter or an edited page link with a French message, never a 500", async () => {
    const api = await c.api("GET", `/api/v1/organisations/${network}/requests?after=nimportequoi`);
    expect(api.statusCode).toBe(400);
    expect(api.json().fields.after).toBe("Ce lien de page n'est plus valable : revenez à la première page de la liste.");
    const forged = Buffer.from(JSON.stringify({ s: "due", k: ["2025-02-30", "2025-01-01", "x"] })).toString("base64url");
    expect((await c.api("GET", `/api/v1/organisations/${network}/requests?after=${forged}`)).statusCode).toBe(400);
    const dates = await c.get(`/organisations/${network}/requests?from=2025-05-01&to=2025-01-01`);
    expect(dates.statusCode).toBe(400);
    expect(dates.body).toContain("La date de début doit précéder la date de fin.");
    const channel = await c.get(`/organisations/${network}/requests?channel=pigeon&site=Poissy`);
    expect(channel.statusCode).toBe(400);
    expect(channel.body).toContain("Canal inconnu.");
    // What was typed stays in the form, to be corrected.
    expect(channel.body).toContain('value="Poissy"');
  });

  it("sends the same number of statements for a network of 50 sites and of 500", async () => {
    const counter = countingQueries(t.database.db);
    const app = await buildServer({ db: counter.db, config: loadConfig({ DATA_DIR: "/nonexistent" }) });
    await app.ready();
    try {
      const counted = new Client(app);
      await counted.login(ADMIN.email, ADMIN.password);
      const addSites = (n: number, from: number) =>
        sql`
          with made as (
            select gen_random_uuid() as id, i from generate_series(${from}::int, ${from + n - 1}::int) as i
          ), sites as (
            insert into organisations (id, parent_id, path, kind, name)
            select id, ${network}::uuid, array[${network}::uuid, id], 'site', 'Site n° ' || i from made
            returning id
          )
          insert into requests (org_id, number, kind, channel, status, source, subject, received_on, tracking_token_hash)
          select id, '2025-000001', 'request', 'letter', 'received', 'import', 'Courrier', date '2025-03-01', md5(id::text) from sites
        `.execute(t.database.db);
      const measure = async () => {
        const costs: number[] = [];
        for (const url of [
          `/organisations/${network}/requests`,
          `/organisations/${network}/requests?site=site&q=courrier&sort=received&late=on`,
          `/api/v1/organisations/${network}/requests?sort=number`,
        ]) {
          counter.reset();
          const response = url.startsWith("/api") ? await counted.api("GET", url) : await counted.get(url);
          expect(response.statusCode).toBe(200);
          costs.push(counter.count);
        }
        return costs;
      };
      await addSites(47, 1); // 3 + 47 = 50 sites
      const at50 = await measure();
      await addSites(450, 48); // 500 sites
      const at500 = await measure();
      expect(at500, counter.statements.join("\n")).toEqual(at50);
      expect(Math.max(...at50)).toBeLessThanOrEqual(12);
      expect((await counted.api("GET", `/api/v1/organisations/${network}/requests`)).json().total).toBe(130 + 497);
    } finally {
      await app.close();
    }
  }, 120_000);
});
