import type { FastifyReply, FastifyRequest } from "fastify";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { formRoute, refusedForm, submittedValues } from "../../kernel/forms.ts";
import { localDay } from "../../kernel/time.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { auditActor } from "../audit/audit.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { requestIndicators } from "./indicators.ts";
import { IndicatorsView } from "./indicators.views.tsx";
import { orgParams, resolvePeriod } from "./requests.http.ts";
import { detailPage, newPage, previewFirst, queuePage } from "./requests.pages.tsx";
import { holdingReplySchema, reassignSchema, requestCreateSchema, requestParams, statusChangeSchema } from "./requests.schema.ts";
import { changeStatus, getRequest, reassign, registerRequest, sendHoldingReply } from "./requests.service.ts";

/** The requests of an organisation: the queue, a new request, one request and what is done to it, the delays. */
export async function requestsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  app.get(
    "/organisations/:orgId/requests",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const { page, status } = await queuePage(db, request, orgId);
      return sendPage(reply, request, page, status);
    },
  );

  app.get(
    "/organisations/:orgId/requests/new",
    { config: { access: onOrg("request.write") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const org = await getOrganisation(db, orgId);
      const form = emptyForm({ kind: "request", channel: "letter", receivedOn: localDay(org.timeZone) });
      return sendPage(reply, request, await newPage(db, request, orgId, form));
    },
  );

  formRoute(app, {
    url: "/organisations/:orgId/requests/new",
    access: onOrg("request.write"),
    params: orgParams,
    body: requestCreateSchema,
    run: async ({ request, params: { orgId }, body }) => {
      const { request: created } = await registerRequest(db, orgId, body, {
        source: "agent",
        author: auditActor(actorOf(request)),
        baseUrl: deps.config.baseUrl,
      });
      return `/organisations/${orgId}/requests/${created.id}?ok=request.created`;
    },
    page: (form, { request, params }) => newPage(db, request, params.orgId, form),
  });

  app.get(
    "/organisations/:orgId/requests/:requestId",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, requestId } = parseInput(requestParams, request.params);
      return sendPage(reply, request, await detailPage(db, request, orgId, requestId));
    },
  );

  requestActionRoutes(app, deps);

  app.get(
    "/organisations/:orgId/requests/indicators",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const { org, from, to } = await resolvePeriod(db, orgId, request.query);
      const data = await requestIndicators(db, orgId, from, to);
      return sendPage(reply, request, {
        title: `Délais de réponse — ${org.name}`,
        breadcrumbs: [
          { label: org.name, href: `/organisations/${orgId}` },
          { label: "Demandes", href: `/organisations/${orgId}/requests` },
          { label: "Indicateurs" },
        ],
        children: <IndicatorsView orgName={org.name} data={data} action={`/organisations/${orgId}/requests/indicators`} />,
      });
    },
  );
}

/** What is done to one request: its status (the answer letter read first), its assignment, a holding reply. */
function requestActionRoutes(app: App, deps: AppDeps): void {
  const { db, config } = deps;

  const action = (
    path: string,
    which: "status" | "holding",
    run: (request: FastifyRequest, orgId: string, requestId: string) => Promise<string>,
    /** Shows a page instead of running, when it returns one (the letter's preview). */
    before?: (request: FastifyRequest, orgId: string, requestId: string) => Promise<PageOptions | null>,
  ) =>
    app.post(path, { config: { access: onOrg("request.write") }, schema: { hide: true } }, async (request, reply: FastifyReply) => {
      const { orgId, requestId } = parseInput(requestParams, request.params);
      await getRequest(db, orgId, requestId);
      try {
        // A page, not the reply: a Fastify reply is thenable, and awaiting it would lose it.
        const shown = before ? await before(request, orgId, requestId) : null;
        if (shown) return sendPage(reply, request, shown);
        return reply.redirect(`/organisations/${orgId}/requests/${requestId}?ok=${await run(request, orgId, requestId)}`, 303);
      } catch (error) {
        const { form, status } = refusedForm(error, submittedValues(request.body));
        return sendPage(reply, request, await detailPage(db, request, orgId, requestId, { which, form }), status);
      }
    });

  action(
    "/organisations/:orgId/requests/:requestId/status",
    "status",
    async (request, orgId, requestId) => {
      await changeStatus(db, actorOf(request), orgId, requestId, parseInput(statusChangeSchema, request.body), { baseUrl: config.baseUrl });
      return "request.updated";
    },
    async (request, orgId, requestId) => {
      const input = parseInput(statusChangeSchema, request.body);
      if (input.status !== "answered") return null;
      return previewFirst(db, config.baseUrl, request, orgId, requestId, "answer", { message: input.message }, [
        "status",
        "on",
        "pauseClock",
        "note",
        "message",
        "version",
      ]);
    },
  );
  action("/organisations/:orgId/requests/:requestId/assignment", "status", async (request, orgId, requestId) => {
    const actor = actorOf(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    // Keep the current person unless the form says otherwise: changing the service must not drop a colleague's work.
    const current = await getRequest(db, orgId, requestId);
    const assigneeId =
      body.assignee === "me" ? actor.accountId : body.assignee === "nobody" ? undefined : (current.assigneeId ?? undefined);
    const input = parseInput(reassignSchema, { ...body, assigneeId });
    await reassign(db, actor, orgId, requestId, input);
    return "request.reassigned";
  });
  action(
    "/organisations/:orgId/requests/:requestId/holding",
    "holding",
    async (request, orgId, requestId) => {
      await sendHoldingReply(db, actorOf(request), orgId, requestId, parseInput(holdingReplySchema, request.body));
      return "request.holding";
    },
    async (request, orgId, requestId) => {
      const input = parseInput(holdingReplySchema, request.body);
      return previewFirst(
        db,
        config.baseUrl,
        request,
        orgId,
        requestId,
        "holding",
        { message: input.note, announcedOn: input.announcedOn },
        ["announcedOn", "note", "version"],
      );
    },
  );
}
