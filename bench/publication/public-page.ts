/**
 * Public page of a site (issue #13, point 7): GET /public/organisations/:siteId/results on the whole application,
 * random sites, loaded over HTTP by a generator in its own process, against a ceiling measured in the same run:
 * a bare Fastify route reading the site's published figures by key (`published_figures`, written by the
 * application's `refreshPublication`) and sending them as JSON, with the same compression. p50; goal ≤ 4×.
 */
import { sql } from "kysely";
import { assembleModules } from "../../src/app/modules.ts";
import { type Figure, forkLoad } from "../harness.ts";
import type { Network } from "../network/dataset.ts";
import type { LoadJob, LoadResult } from "../network/http-load.ts";
import { baseOf, startBare, startVigie } from "../network/servers.ts";
import type { Options } from "../run.ts";

// The modules' contributions (indicator sources, digest sections…), as the server has them.
assembleModules();

const LOAD = new URL("../network/http-load.ts", import.meta.url);
const CONCURRENCY = 8;

export async function publicPageFigure(network: Network, options: Options): Promise<Figure> {
  const { db } = network;
  const answers = Number((await sql<{ n: string }>`select count(*) as n from survey_responses`.execute(db)).rows[0]?.n);
  const vigie = await startVigie(network);
  const bare = await startBare((app) => {
    app.get<{ Params: { orgId: string } }>("/figures/:orgId", async (request) => {
      const { rows } = await sql`select * from published_figures where org_id = ${request.params.orgId}`.execute(db);
      return rows;
    });
  });
  const sites = (
    await sql<{
      id: string;
    }>`select distinct f.org_id as id from published_figures f join organisations o on o.id = f.org_id where o.kind = 'site'`.execute(db)
  ).rows.map((r) => r.id);
  const load = async (base: string, path: (site: string) => string) => {
    const result = await forkLoad<LoadJob, LoadResult>(LOAD, {
      mode: "get",
      base,
      paths: sites.map(path),
      concurrency: CONCURRENCY,
      seconds: options.seconds,
    });
    if (result.failed) throw new Error(`page publique : ${result.failed} échecs (${result.firstFailure})`);
    return result.p50;
  };
  return {
    label: `page publique d'un site, p50 (${answers.toLocaleString("fr-FR")} réponses d'enquête en base, ${CONCURRENCY} connexions)`,
    direction: "latency",
    goal: 4,
    unit: "ms",
    ceiling: () => load(baseOf(bare), (s) => `/figures/${s}`),
    vigie: () => load(baseOf(vigie), (s) => `/public/organisations/${s}/results`),
    close: async () => {
      await vigie.close();
      await bare.close();
    },
  };
}
