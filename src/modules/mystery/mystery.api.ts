import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { CHANNELS } from "../frameworks/channels.ts";
import type { Score } from "./grids.ts";
import { campaignParams, orgParams } from "./mystery.schema.ts";
import { campaignResults, listCampaigns, recordTest } from "./mystery.service.ts";

const TAG = ["tests mystère"];
const scoreOut = z.object({ passed: z.number(), failed: z.number(), score: z.number().nullable() });
const byKey = (m: Map<string, Score>) => Object.fromEntries(m);

/** The JSON API of mystery-shopper campaigns: list, scores, and a tester's results sent as JSON. */
export async function mysteryApiRoutes(app: App, deps: AppDeps): Promise<void> {
  campaignsApi(app, deps);
  testsApi(app, deps);
}

/** The campaigns of an organisation and a campaign's scores. */
function campaignsApi(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get(
    "/api/v1/organisations/:orgId/mystery-campaigns",
    {
      config: { access: onOrg("request.read") },
      schema: {
        tags: TAG,
        summary: "Les campagnes de tests mystère de l'organisation",
        params: orgParams,
        response: {
          200: z.array(
            z.object({
              id: z.string(),
              title: z.string(),
              startsOn: z.string(),
              endsOn: z.string(),
              channels: z.array(z.string()),
              tests: z.number(),
            }),
          ),
        },
      },
    },
    async (request) =>
      (await listCampaigns(db, request.params.orgId)).map((c) => ({
        id: c.id,
        title: c.title,
        startsOn: c.starts_on,
        endsOn: c.ends_on,
        channels: c.channels,
        tests: c.tests ?? 0,
      })),
  );

  app.get(
    "/api/v1/organisations/:orgId/mystery-campaigns/:campaignId/results",
    {
      config: { access: onOrg("request.read") },
      schema: {
        tags: TAG,
        summary: "Scores d'une campagne (0 à 100) par critère, engagement, site et canal",
        params: campaignParams,
        response: {
          200: z.object({
            tests: z.number(),
            total: scoreOut,
            byCriterion: z.record(z.string(), scoreOut),
            byCommitment: z.record(z.string(), scoreOut),
            bySite: z.record(z.string(), scoreOut),
            byChannel: z.record(z.string(), scoreOut),
          }),
        },
      },
    },
    async (request) => {
      const { scores, tests } = await campaignResults(db, request.params.orgId, request.params.campaignId);
      return {
        tests,
        total: scores.total,
        byCriterion: byKey(scores.byCriterion),
        byCommitment: byKey(scores.byCommitment),
        bySite: byKey(scores.bySite),
        byChannel: byKey(scores.byChannel),
      };
    },
  );
}

/** A tester's results, sent as JSON. */
function testsApi(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.post(
    "/api/v1/organisations/:orgId/mystery-campaigns/:campaignId/tests",
    {
      config: { access: onOrg("request.write") },
      schema: {
        tags: TAG,
        summary: "Enregistrer un test : une réponse (yes, no, na) pour chaque critère de la grille du canal",
        params: campaignParams,
        body: z.object({
          channel: z.enum(CHANNELS),
          site: z.string().uuid(),
          testedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          tester: z.string().trim().min(1).max(120),
          comment: z.string().max(2000).optional(),
          answers: z.record(z.string(), z.enum(["yes", "no", "na"])),
        }),
        response: { 201: z.object({ id: z.string() }) },
      },
    },
    async (request, reply) => {
      const { orgId, campaignId } = request.params;
      const body = request.body;
      const answers = Object.fromEntries(Object.entries(body.answers).map(([k, v]) => [`c_${k}`, v]));
      const id = await recordTest(db, actorOf(request), orgId, campaignId, { ...body, comment: body.comment ?? "", answers });
      return reply.status(201).send({ id });
    },
  );
}
