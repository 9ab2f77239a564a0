import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { todayOfRequest } from "../../kernel/time.ts";
import { actionInputSchema, listQuerySchema, orgParams } from "./actions.schema.ts";
import { createAction, listPlan, planCounts } from "./actions.service.ts";

/** The action plan's JSON API. */
export function actionsApiRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  const actionOut = z.object({
    id: z.string(),
    orgId: z.string(),
    number: z.number(),
    title: z.string(),
    leverId: z.string().nullable(),
    commitmentId: z.string().nullable(),
    channel: z.string().nullable(),
    owner: z.string().nullable(),
    service: z.string().nullable(),
    dueOn: z.string().nullable(),
    planYear: z.number(),
    status: z.string(),
    version: z.number(),
  });
  const apiRead = { config: { access: onOrg("request.read") } };
  const apiWrite = { config: { access: onOrg("commitment.manage") } };
  const TAG = ["plan d'actions"];
  app.get(
    "/api/v1/organisations/:orgId/actions",
    {
      ...apiRead,
      schema: {
        tags: TAG,
        summary: "Les actions du plan de l'organisation et de tout ce qui lui est rattaché, avec les comptes par statut",
        params: orgParams,
        querystring: listQuerySchema,
        response: { 200: z.object({ actions: z.array(actionOut), counts: z.record(z.string(), z.number()) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const actions = await listPlan(db, request.params.orgId, {
        status: q.status,
        commitmentId: q.commitment,
        channel: q.channel,
        owner: q.owner,
        planYear: q.year,
        q: q.q,
        overdueOn: q.overdue ? todayOfRequest(request) : undefined,
      });
      const counts = await planCounts(db, request.params.orgId, q.year);
      return { actions: actions.map(({ orgName: _n, origin: _o, updatedAt: _u, ...a }) => a), counts: counts.byStatus };
    },
  );
  app.post(
    "/api/v1/organisations/:orgId/actions",
    {
      ...apiWrite,
      schema: {
        tags: TAG,
        summary: "Ajoute une action au plan",
        params: orgParams,
        body: actionInputSchema,
        response: { 201: z.object({ id: z.string() }) },
      },
    },
    async (request, reply) => {
      const created = await createAction(db, actorOf(request), request.params.orgId, request.body);
      return reply.status(201).send(created);
    },
  );
}
