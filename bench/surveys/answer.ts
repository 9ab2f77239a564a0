/**
 * Survey answer (issue #13, point 7): a person opens the network's annual survey from a link naming their site
 * (GET /s/:networkId/:surveyId?site=…) and sends it (POST, redirected to the thanks page), on the whole
 * application, loaded over HTTP by a generator in its own process. The answers' counts wait in
 * `survey_pending_counts` until the next read folds them into the rollups: that fold is timed after the load
 * and counted in Vigie's time. Ceiling, same run: a bare Fastify pair — a GET handing out a form with a random
 * token, a POST doing the same writes in one statement (rate event, response, pending counts). Pairs/s; goal ≥ 60 %.
 */
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { satisfactionOf } from "../../src/modules/surveys/surveys.service.ts";
import { type Figure, forkLoad, log } from "../harness.ts";
import { type Network, PERIOD } from "../network/dataset.ts";
import type { LoadJob, LoadResult } from "../network/http-load.ts";
import { baseOf, startBare, startVigie } from "../network/servers.ts";
import type { Options } from "../run.ts";

const LOAD = new URL("../network/http-load.ts", import.meta.url);
const CONCURRENCY = 16;
const ANSWERS = {
  channel: "counter",
  courtesy: "4",
  orientation: "yes",
  delay: "3",
  clarity: "4",
  "opening-hours": "no",
  "preferred-hours": ["early", "evening"],
  overall: "4",
  recommendation: "9",
};

export async function surveyAnswerFigure(network: Network, options: Options): Promise<Figure> {
  const { db, networkId, surveyId } = network;
  const vigie = await startVigie(network);
  const bare = await startBare((app) => {
    app.get<{ Querystring: { site: string } }>("/bare/s", async (request, reply) =>
      reply
        .type("text/html")
        .send(
          `<!doctype html><form method="post" action="/bare/s"><input type="hidden" name="_form" value="${randomBytes(24).toString("base64url")}"><input type="hidden" name="_site" value="${request.query.site}"></form>`,
        ),
    );
    app.post<{ Body: Record<string, string | string[]> }>("/bare/s", async (request, reply) => {
      const body = request.body;
      const answers = Object.fromEntries(Object.entries(body).filter(([k]) => !k.startsWith("_")));
      await sql`
        with rate as (insert into rate_events (bucket, key_hash, at) values ('bare', ${request.ip}, now())),
        response as (
          insert into survey_responses (org_id, survey_id, version, channel, answered_on, answers, form_token_hash, site_id, via)
          values (${networkId}, ${surveyId}, 1, 'counter', current_date, ${JSON.stringify(answers)}::jsonb, ${`bare-${body._form}`}, ${body._site}, 'link')
          returning id)
        insert into survey_pending_counts (org_id, response_id, survey_id, month, site_id, site_path, channel, question_ids, answer_values,
                                           measures, satisfied, neutral, dissatisfied, rated_8)
        select ${networkId}, response.id, ${surveyId}, date_trunc('month', current_date)::date, o.id, o.path, 'counter',
               ${Object.keys(answers)}::text[], ${Object.values(answers).map(String)}::text[], array['overall', 'recommendation'],
               array[1, 0], array[0, 1], array[0, 0], array[0, 1]
        from response, organisations o where o.id = ${body._site}`.execute(db);
      return reply.redirect("/bare/merci", 303);
    });
  });
  const sites = network.siteIds;
  const load = (base: string, path: (site: string) => string, once = false) =>
    forkLoad<LoadJob, LoadResult>(LOAD, {
      mode: "survey",
      base,
      paths: sites.map(path),
      concurrency: CONCURRENCY,
      seconds: options.seconds,
      answers: ANSWERS,
      once,
    });
  const vigiePath = (s: string) => `/s/${networkId}/${surveyId}?site=${s}`;
  return {
    label: `réponse à une enquête (GET du formulaire + POST, lien nommant le site, report compté), ${CONCURRENCY} connexions`,
    direction: "throughput",
    goal: 0.6,
    unit: "réponses/s",
    // One answer per site on each side: a server in service has met every site (its settings read once).
    warmUp: async () => {
      await load(baseOf(bare), (s) => `/bare/s?site=${s}`, true);
      await load(baseOf(vigie), vigiePath, true);
      await satisfactionOf(db, networkId, PERIOD);
    },
    ceiling: async () => {
      const r = await load(baseOf(bare), (s) => `/bare/s?site=${s}`);
      if (r.failed) throw new Error(`plafond : ${r.failed} échecs (${r.firstFailure})`);
      return r.perSecond;
    },
    vigie: async () => {
      const r = await load(baseOf(vigie), vigiePath);
      if (r.failed) throw new Error(`Vigie : ${r.failed} échecs (${r.firstFailure}) ${JSON.stringify(r.statuses)}`);
      // The price moved off the answer: the next read folds every waiting answer into the rollups.
      const start = performance.now();
      await satisfactionOf(db, networkId, PERIOD);
      const fold = (performance.now() - start) / 1000;
      log(`    Vigie : ${r.ok} réponses en ${r.seconds.toFixed(2)} s, leur report en ${fold.toFixed(2)} s`);
      return r.ok / (r.seconds + fold);
    },
    // The ceiling's rows go (their waiting counts with them): the next fold must only meet Vigie's answers.
    reset: async () => {
      await sql`delete from survey_responses where org_id = ${networkId} and form_token_hash like 'bare-%'`.execute(db);
    },
    close: async () => {
      await vigie.close();
      await bare.close();
    },
  };
}
