import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { onOrg, PUBLIC } from "../../app/access.ts";
import type { App, AppDeps } from "../../app/context.ts";
import { AppError } from "../../app/errors.ts";
import { handleForm, submittedValues } from "../../app/forms.ts";
import { checkRate } from "../../app/rate-limit.ts";
import { parseInput } from "../../app/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import type { Actor } from "../accounts/roles.ts";
import { auditActor } from "../audit/audit.service.ts";
import { getOrganisation, listVisible } from "../organisations/organisations.service.ts";
import { requestIndicators } from "./indicators.ts";
import { IndicatorsView } from "./indicators.views.tsx";
import { PublicReceipt, PublicRequestForm, TrackingView } from "./requests.public.views.tsx";
import {
  holdingReplySchema,
  isoDate,
  publicRequestSchema,
  queueQuerySchema,
  reassignSchema,
  requestCreateSchema,
  requestParams,
  statusChangeSchema,
} from "./requests.schema.ts";
import {
  canWrite,
  changeStatus,
  filePublicRequest,
  getRequest,
  listQueue,
  type Queue,
  reassign,
  registerRequest,
  requestHistory,
  sendHoldingReply,
  todayIn,
  trackRequest,
} from "./requests.service.ts";
import { QueueView, RequestForm, RequestPage } from "./requests.views.tsx";

const orgParams = z.object({ orgId: z.string().uuid() });
const TAG = ["demandes"];

function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError("auth.required");
  return request.actor;
}

const requestOut = z.object({
  orgId: z.string(),
  id: z.string(),
  number: z.string(),
  kind: z.string(),
  channel: z.string(),
  status: z.string(),
  source: z.string(),
  subject: z.string(),
  body: z.string(),
  requester: z.object({
    name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    address: z.string().nullable(),
  }),
  receivedOn: z.string(),
  target: z.object({ value: z.number(), unit: z.string() }).nullable(),
  commitmentId: z.string().nullable(),
  dueOn: z.string().nullable(),
  announcedOn: z.string().nullable(),
  pausedSince: z.string().nullable(),
  serviceId: z.string().nullable(),
  assigneeId: z.string().nullable(),
  answeredOn: z.string().nullable(),
  closedOn: z.string().nullable(),
  version: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

/** Public forms: 5 submissions an hour per source. */
const PUBLIC_RATE = { max: 5, windowMs: 3600_000 };

export async function requestsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  /** The services of an organisation, where a request may be sent. */
  const servicesOf = async (actor: Actor, orgId: string) =>
    (await listVisible(db, actor, "request.read"))
      .filter((o) => o.path.includes(orgId) && o.id !== orgId)
      .map((o) => ({ id: o.id, name: o.name }));

  app.get(
    "/organisations/:orgId/requests",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const { queue = "all", q } = parseInput(queueQuerySchema, request.query);
      const actor = actorOf(request);
      const org = await getOrganisation(db, orgId);
      const requests = await listQueue(db, actor, orgId, queue as Queue, q);
      return sendPage(reply, request, {
        title: `Demandes — ${org.name}`,
        breadcrumbs: [
          { label: "Organisations", href: "/organisations" },
          { label: org.name, href: `/organisations/${orgId}` },
          { label: "Demandes" },
        ],
        children: (
          <QueueView
            orgId={orgId}
            orgName={org.name}
            queue={queue as Queue}
            q={q}
            requests={requests}
            canWrite={canWrite(actor, org.path)}
            today={todayIn(org.timeZone)}
          />
        ),
      });
    },
  );

  const newPage = async (request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    return {
      title: "Enregistrer une demande",
      breadcrumbs: [
        { label: org.name, href: `/organisations/${orgId}` },
        { label: "Demandes", href: `/organisations/${orgId}/requests` },
        { label: "Nouvelle" },
      ],
      children: (
        <div>
          <h1>Enregistrer une demande</h1>
          <RequestForm
            form={form}
            csrf={request.csrfToken}
            action={`/organisations/${orgId}/requests/new`}
            services={await servicesOf(actorOf(request), orgId)}
          />
        </div>
      ),
    };
  };

  app.get(
    "/organisations/:orgId/requests/new",
    { config: { access: onOrg("request.write") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const org = await getOrganisation(db, orgId);
      const form = emptyForm({ kind: "request", channel: "letter", receivedOn: todayIn(org.timeZone) });
      return sendPage(reply, request, await newPage(request, orgId, form));
    },
  );

  app.post(
    "/organisations/:orgId/requests/new",
    { config: { access: onOrg("request.write") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      try {
        const input = parseInput(requestCreateSchema, request.body);
        const { request: created } = await registerRequest(db, orgId, input, {
          source: "agent",
          author: auditActor(actorOf(request)),
          baseUrl: deps.config.baseUrl,
        });
        return reply.redirect(`/organisations/${orgId}/requests/${created.id}?ok=request.created`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
        const form = { values: submittedValues(request.body), errors: error.fields ?? { _: error.message } };
        return sendPage(reply, request, await newPage(request, orgId, form), error.status);
      }
    },
  );

  const detailPage = async (
    request: FastifyRequest,
    orgId: string,
    requestId: string,
    failed?: { which: "status" | "holding"; form: FormState },
  ) => {
    const actor = actorOf(request);
    const org = await getOrganisation(db, orgId);
    const r = await getRequest(db, orgId, requestId);
    const [events, services] = await Promise.all([requestHistory(db, orgId, requestId), servicesOf(actor, orgId)]);
    return {
      title: `Demande ${r.number}`,
      breadcrumbs: [
        { label: org.name, href: `/organisations/${orgId}` },
        { label: "Demandes", href: `/organisations/${orgId}/requests` },
        { label: r.number },
      ],
      children: (
        <RequestPage
          r={r}
          events={events}
          csrf={request.csrfToken}
          canWrite={canWrite(actor, org.path)}
          statusForm={failed?.which === "status" ? failed.form : emptyForm()}
          holdingForm={failed?.which === "holding" ? failed.form : emptyForm()}
          services={services}
          today={todayIn(org.timeZone)}
          currentAccountId={actor.accountId}
        />
      ),
    };
  };

  app.get(
    "/organisations/:orgId/requests/:requestId",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, requestId } = parseInput(requestParams, request.params);
      return sendPage(reply, request, await detailPage(request, orgId, requestId));
    },
  );

  const action = (
    path: string,
    which: "status" | "holding",
    run: (request: FastifyRequest, orgId: string, requestId: string) => Promise<string>,
  ) =>
    app.post(path, { config: { access: onOrg("request.write") }, schema: { hide: true } }, async (request, reply: FastifyReply) => {
      const { orgId, requestId } = parseInput(requestParams, request.params);
      await getRequest(db, orgId, requestId);
      try {
        return reply.redirect(`/organisations/${orgId}/requests/${requestId}?ok=${await run(request, orgId, requestId)}`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
        const form = { values: submittedValues(request.body), errors: error.fields ?? { _: error.message } };
        return sendPage(reply, request, await detailPage(request, orgId, requestId, { which, form }), error.status);
      }
    });

  action("/organisations/:orgId/requests/:requestId/status", "status", async (request, orgId, requestId) => {
    await changeStatus(db, actorOf(request), orgId, requestId, parseInput(statusChangeSchema, request.body));
    return "request.updated";
  });
  action("/organisations/:orgId/requests/:requestId/assignment", "status", async (request, orgId, requestId) => {
    const actor = actorOf(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const input = parseInput(reassignSchema, { ...body, assigneeId: body.assignToMe === "true" ? actor.accountId : undefined });
    await reassign(db, actor, orgId, requestId, input);
    return "request.reassigned";
  });
  action("/organisations/:orgId/requests/:requestId/holding", "holding", async (request, orgId, requestId) => {
    await sendHoldingReply(db, actorOf(request), orgId, requestId, parseInput(holdingReplySchema, request.body));
    return "request.holding";
  });

  // ---- Public: file a complaint or suggestion, follow it ----
  const publicForm = async (request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    return {
      title: `Réclamation ou suggestion — ${org.name}`,
      children: (
        <PublicRequestForm orgName={org.name} action={`/public/organisations/${orgId}/complaint`} form={form} csrf={request.csrfToken} />
      ),
    };
  };
  const publicOrg = (request: FastifyRequest) => {
    const parsed = orgParams.safeParse(request.params);
    if (!parsed.success) throw new AppError("organisation.not_found");
    return parsed.data.orgId;
  };

  app.get("/public/organisations/:orgId/complaint", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, request, await publicForm(request, publicOrg(request), emptyForm())),
  );

  app.post("/public/organisations/:orgId/complaint", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const orgId = publicOrg(request);
    const org = await getOrganisation(db, orgId);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return handleForm(
      request,
      reply,
      async () => {
        const input = parseInput(publicRequestSchema, body);
        await checkRate(db, "public-request", request.ip, PUBLIC_RATE);
        // A robot filled the hidden field: thank it as if stored, store nothing.
        if (typeof body.website === "string" && body.website !== "") return `/public/organisations/${orgId}/complaint/received?number=0`;
        const { request: created, trackingToken } = await filePublicRequest(db, orgId, input, deps.config.baseUrl);
        const params = new URLSearchParams({ number: created.number, token: trackingToken, kind: created.kind });
        return `/public/organisations/${orgId}/complaint/received?${params}`;
      },
      (form) => ({
        title: `Réclamation ou suggestion — ${org.name}`,
        children: (
          <PublicRequestForm orgName={org.name} action={`/public/organisations/${orgId}/complaint`} form={form} csrf={request.csrfToken} />
        ),
      }),
    );
  });

  app.get(
    "/public/organisations/:orgId/complaint/received",
    { config: { access: PUBLIC }, schema: { hide: true } },
    async (request, reply) => {
      publicOrg(request);
      const q = parseInput(
        z.object({ number: z.string().max(20), token: z.string().max(60).optional(), kind: z.string().max(20).optional() }),
        request.query,
      );
      const trackUrl = q.token ? `/track?${new URLSearchParams({ number: q.number, token: q.token })}` : null;
      return sendPage(reply, request, {
        title: "Message enregistré",
        children: <PublicReceipt number={q.number} trackUrl={trackUrl} kind={q.kind ?? "complaint"} />,
      });
    },
  );

  app.get("/track", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const q = parseInput(
      z.object({
        number: z.string({ error: "Numéro de dossier manquant." }).max(20),
        token: z.string({ error: "Code de suivi manquant." }).max(60),
      }),
      request.query,
    );
    const tracked = await trackRequest(db, q.number, q.token);
    return sendPage(reply, request, { title: `Suivi du dossier ${tracked.number}`, children: <TrackingView t={tracked} /> });
  });

  const periodSchema = z.object({
    from: z.preprocess((v) => (v === "" ? undefined : v), isoDate.optional()),
    to: z.preprocess((v) => (v === "" ? undefined : v), isoDate.optional()),
  });
  /** The period asked for, by default the twelve months up to today. */
  const period = async (orgId: string, query: unknown) => {
    const org = await getOrganisation(db, orgId);
    const q = parseInput(periodSchema, query);
    const to = q.to ?? todayIn(org.timeZone);
    const from = q.from ?? `${Number(to.slice(0, 4)) - 1}-${to.slice(5, 7)}-01`;
    if (from > to) throw new AppError("validation", { fields: { from: "La date de début doit précéder la date de fin." } });
    return { org, from, to };
  };

  app.get(
    "/organisations/:orgId/requests/indicators",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const { org, from, to } = await period(orgId, request.query);
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

  // ---- JSON API ----
  const figuresOut = z.object({
    received: z.number(),
    answered: z.number(),
    answeredWithTarget: z.number(),
    answeredInTime: z.number(),
    inTimeRate: z.number().nullable(),
    medianDays: z.number().nullable(),
    p90Days: z.number().nullable(),
  });
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
      const { from, to } = await period(request.params.orgId, request.query);
      return requestIndicators(db, request.params.orgId, from, to);
    },
  );
  app.get(
    "/api/v1/organisations/:orgId/requests",
    {
      config: { access: onOrg("request.read") },
      schema: {
        tags: TAG,
        summary: "Les demandes d'une organisation et de ses services, par file de travail",
        params: orgParams,
        querystring: queueQuerySchema,
        response: { 200: z.array(requestOut) },
      },
    },
    async (request) => listQueue(db, actorOf(request), request.params.orgId, (request.query.queue ?? "all") as Queue, request.query.q),
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
    async (request) => changeStatus(db, actorOf(request), request.params.orgId, request.params.requestId, request.body),
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
