import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { auditActor } from "../audit/audit.service.ts";
import { requestIndicators } from "./indicators.ts";
import { orgParams, periodSchema, requestOut, resolvePeriod, TAG } from "./requests.http.ts";
import {
  holdingReplySchema,
  queueQuerySchema,
  reassignSchema,
  requestCreateSchema,
  requestParams,
  statusChangeSchema,
} from "./requests.schema.ts";
import {
  changeStatus,
  getRequest,
  listRequestPage,
  reassign,
  registerRequest,
  sendAcknowledgement,
  sendHoldingReply,
} from "./requests.service.ts";

const figuresOut = z.object({
  received: z.number(),
  answered: z.number(),
  answeredWithTarget: z.number(),
  answeredInTime: z.number(),
  inTimeRate: z.number().nullable(),
  medianDays: z.number().nullable(),
  p90Days: z.number().nullable(),
});

/** The JSON API of requests: the same operations as the pages. Here the delay figures; below, the requests. */
export async function requestsApiRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  app.get(
    "/api/v1/organisations/:orgId/request-indicators",
    {
      config: { access: onOrg("request.read") },
      schema: {
        tags: TAG,
        summary: "Indicateurs de délais de l'organisation et de tout ce qui lui est rattaché (par mois de réception)",
        params: orgParams,
        querystring: periodSchema,
        response: {
          200: z.object({
            from: z.string(),
            to: z.string(),
            total: figuresOut,
            byMonth: z.array(figuresOut.extend({ month: z.string() })),
            byChannel: z.array(figuresOut.extend({ channel: z.string() })),
            byKind: z.array(figuresOut.extend({ kind: z.string() })),
            backlog: z.object({ open: z.number(), overdue: z.number(), asOf: z.string() }),
          }),
        },
      },
    },
    async (request) => {
      const { from, to } = await resolvePeriod(db, request.params.orgId, request.query);
      return requestIndicators(db, request.params.orgId, from, to);
    },
  );

  requestRecordsApi(app, deps);
  requestActionsApi(app, deps);
}

/** The requests themselves: the list (filtered, sorted, by page), registering one, reading one. */
function requestRecordsApi(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get(
    "/api/v1/organisations/:orgId/requests",
    {
      config: { access: onOrg("request.read") },
      schema: {
        tags: TAG,
        summary:
          "Les demandes de l'organisation et de tout son sous-arbre (un réseau : celles de chaque site), filtrées, triées, 50 par page ; `next` et `previous` se passent en `after` et `before`",
        params: orgParams,
        querystring: queueQuerySchema,
        response: {
          200: z.object({
            items: z.array(requestOut.extend({ orgName: z.string() })),
            total: z.number(),
            sort: z.string(),
            next: z.string().nullable(),
            previous: z.string().nullable(),
          }),
        },
      },
    },
    async (request) => {
      const page = await listRequestPage(db, actorOf(request), request.params.orgId, request.query);
      return { items: page.rows, total: page.total, sort: page.sort, next: page.next ?? null, previous: page.previous ?? null };
    },
  );
  app.post(
    "/api/v1/organisations/:orgId/requests",
    {
      config: { access: onOrg("request.write") },
      schema: {
        tags: TAG,
        summary: "Enregistrer une demande, une réclamation ou une suggestion",
        params: orgParams,
        body: requestCreateSchema,
        response: { 201: z.object({ request: requestOut, trackingToken: z.string() }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(
        await registerRequest(db, request.params.orgId, request.body, {
          source: "agent",
          author: auditActor(actorOf(request)),
          baseUrl: deps.config.baseUrl,
        }),
      ),
  );
  app.get(
    "/api/v1/organisations/:orgId/requests/:requestId",
    {
      config: { access: onOrg("request.read") },
      schema: { tags: TAG, summary: "Une demande", params: requestParams, response: { 200: requestOut } },
    },
    async (request) => getRequest(db, request.params.orgId, request.params.requestId),
  );
}

/** What is done to a request: its status, the acknowledgement, a holding reply, a new assignment. */
function requestActionsApi(app: App, deps: AppDeps): void {
  const { db, config } = deps;
  app.post(
    "/api/v1/organisations/:orgId/requests/:requestId/status",
    {
      config: { access: onOrg("request.write") },
      schema: {
        tags: TAG,
        summary: "Changer le statut (version attendue : 409 si elle a changé)",
        params: requestParams,
        body: statusChangeSchema,
        response: { 200: requestOut },
      },
    },
    async (request) =>
      changeStatus(db, actorOf(request), request.params.orgId, request.params.requestId, request.body, { baseUrl: config.baseUrl }),
  );
  app.post(
    "/api/v1/organisations/:orgId/requests/:requestId/acknowledgement",
    {
      config: { access: onOrg("request.write") },
      schema: {
        tags: TAG,
        summary: "Envoyer l'accusé de réception par courriel (nouveau lien de suivi ; 422 si le modèle a un champ sans valeur)",
        params: requestParams,
        response: { 200: requestOut },
      },
    },
    async (request) => sendAcknowledgement(db, actorOf(request), request.params.orgId, request.params.requestId, config.baseUrl),
  );
  app.post(
    "/api/v1/organisations/:orgId/requests/:requestId/holding",
    {
      config: { access: onOrg("request.write") },
      schema: {
        tags: TAG,
        summary: "Envoyer une réponse d'attente annonçant une nouvelle date",
        params: requestParams,
        body: holdingReplySchema,
        response: { 200: requestOut },
      },
    },
    async (request) => sendHoldingReply(db, actorOf(request), request.params.orgId, request.params.requestId, request.body),
  );
  app.post(
    "/api/v1/organisations/:orgId/requests/:requestId/assignment",
    {
      config: { access: onOrg("request.write") },
      schema: {
        tags: TAG,
        summary: "Réaffecter à un service ou à un agent",
        params: requestParams,
        body: reassignSchema,
        response: { 200: requestOut },
      },
    },
    async (request) => reassign(db, actorOf(request), request.params.orgId, request.params.requestId, request.body),
  );
}
