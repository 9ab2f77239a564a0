import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { auditActor } from "../audit/audit.service.ts";
import { callIndicatorsQuery, importParams, orgParams, pushCallsBody } from "./calls.schema.ts";
import { callFigures, callIndicators, getImport, pushCalls } from "./calls.service.ts";

const TAG = ["téléphone"];

const importOut = z.object({
  id: z.string(),
  fileName: z.string(),
  status: z.string(),
  bytesTotal: z.number(),
  bytesRead: z.number(),
  rowsRead: z.number(),
  rowsInvalid: z.number(),
  rowsSkipped: z.number(),
  rowsCreated: z.number(),
  rowsDuplicate: z.number(),
  errors: z.array(z.object({ line: z.number(), message: z.string() })),
  message: z.string().nullable(),
});

const figuresOut = z.object({
  offered: z.number(),
  answered: z.number(),
  abandoned: z.number(),
  unreached: z.number(),
  answerRate: z.number().nullable(),
  withinRings: z.number(),
  withinRate: z.number().nullable(),
  abandonRate: z.number().nullable(),
  meanWait: z.number().nullable(),
  p90Wait: z.number().nullable(),
  outsideHours: z.number().nullable(),
});

const indicatorOut = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.string(),
  value: z.number().nullable(),
  target: z.number().nullable(),
  better: z.string(),
  sample: z.number(),
  commitments: z.array(z.string()),
  channel: z.string().nullable().optional(),
});

/**
 * The JSON API of the phone figures, of an import's progress, and of calls pushed one batch at a time
 * by another system (JSON). Files are sent through the page or the command line (`npm run import:calls`).
 */
export async function callsApiRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  app.get(
    "/api/v1/organisations/:orgId/call-indicators",
    {
      config: { access: onOrg("request.read") },
      schema: {
        tags: TAG,
        summary: "Indicateurs de l'accueil téléphonique du sous-arbre, sur les mois que touche la période",
        params: orgParams,
        querystring: callIndicatorsQuery,
        response: {
          200: z.object({
            from: z.string(),
            to: z.string(),
            rings: z.number(),
            secondsPerRing: z.number(),
            total: figuresOut,
            byLine: z.array(figuresOut.extend({ line: z.string() })),
            byMonth: z.array(figuresOut.extend({ month: z.string() })),
            heat: z.array(z.array(z.object({ offered: z.number(), answered: z.number() }))),
            indicators: z.array(indicatorOut),
          }),
        },
      },
    },
    async (request) => {
      const { orgId } = request.params;
      const period = request.query;
      const f = await callFigures(db, orgId, period);
      return { ...f, indicators: await callIndicators(db, orgId, period) };
    },
  );

  app.post(
    "/api/v1/organisations/:orgId/calls",
    {
      config: { access: onOrg("request.write") },
      schema: {
        tags: TAG,
        summary: "Envoyer des appels (plateforme téléphonique) : enregistrés comme un journal d'appels sans erreur",
        description:
          "Jusqu'à 5 000 appels par envoi. Un appel déjà reçu (même identifiant, même début) n'est compté qu'une fois. Un appel fautif refuse tout l'envoi (400, un message par appel) : rien n'est enregistré.",
        params: orgParams,
        body: pushCallsBody,
        response: { 201: importOut },
      },
    },
    async (request, reply) => {
      const view = await pushCalls(db, auditActor(actorOf(request)), request.params.orgId, request.body.calls);
      return reply.code(201).send(view);
    },
  );

  app.get(
    "/api/v1/organisations/:orgId/call-imports/:importId",
    {
      config: { access: onOrg("request.write") },
      schema: {
        tags: TAG,
        summary: "Avancement et compte rendu d'un import de journal d'appels",
        params: importParams,
        response: {
          200: importOut,
        },
      },
    },
    async (request) => getImport(db, request.params.orgId, request.params.importId),
  );
}
