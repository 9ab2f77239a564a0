import type { FastifyReply, FastifyRequest } from "fastify";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { submittedValues } from "../../kernel/forms.ts";
import type { Actor } from "../../kernel/roles.ts";
import { todayIn } from "../../kernel/time.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { auditActor } from "../audit/audit.service.ts";
import { equivalentIn, organisationCommitments } from "../frameworks/frameworks.service.ts";
import { mailStatesForRequest } from "../mail/mail.service.ts";
import { getOrganisation, listVisible } from "../organisations/organisations.service.ts";
import { requestIndicators } from "./indicators.ts";
import { IndicatorsView } from "./indicators.views.tsx";
import { LetterPreview } from "./letters.views.tsx";
import { attachmentsOfRequest } from "./request-attachments.ts";
import { orgParams, resolvePeriod } from "./requests.http.ts";
import {
  holdingReplySchema,
  queueQuerySchema,
  reassignSchema,
  requestCreateSchema,
  requestParams,
  statusChangeSchema,
} from "./requests.schema.ts";
import {
  canWrite,
  changeStatus,
  getRequest,
  listRequestPage,
  previewLetter,
  type Queue,
  type RequestListPage,
  reassign,
  registerRequest,
  requestHistory,
  sendHoldingReply,
} from "./requests.service.ts";
import { type ListValues, QUEUE_LABELS, QueueView, RequestForm, RequestPage } from "./requests.views.tsx";

export async function requestsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db, config } = deps;

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
      const actor = actorOf(request);
      const org = await getOrganisation(db, orgId);
      const raw = (request.query ?? {}) as Record<string, unknown>;
      // The form shows again what was typed, even when it is refused.
      const values: ListValues = {};
      for (const k of ["queue", "q", "site", "status", "channel", "kind", "late", "from", "to", "sort"] as const) {
        if (typeof raw[k] === "string" && raw[k] !== "") values[k] = raw[k];
      }
      let page: RequestListPage | null = null;
      let errors: Record<string, string> = {};
      let status = 200;
      try {
        const input = parseInput(queueQuerySchema, raw);
        if (input.late) values.late = "true";
        page = await listRequestPage(db, actor, orgId, input);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
        errors = error.fields ?? { _: error.message };
        status = error.status;
      }
      const queue: Queue = values.queue && values.queue in QUEUE_LABELS ? (values.queue as Queue) : "all";
      return sendPage(
        reply,
        request,
        {
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
              queue={queue}
              values={values}
              errors={errors}
              page={page}
              canWrite={canWrite(actor, org.path)}
            />
          ),
        },
        status,
      );
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
    const [events, services, inForce, mails, attachments] = await Promise.all([
      requestHistory(db, orgId, requestId),
      servicesOf(actor, orgId),
      organisationCommitments(db, orgId),
      mailStatesForRequest(db, orgId, requestId),
      attachmentsOfRequest(db, orgId, requestId),
    ]);
    // A request registered under an older framework still reads under the one in force, through the links.
    const frameworkNow = inForce.framework?.id;
    const equivalents =
      r.commitmentId && frameworkNow && !r.commitmentId.startsWith(`${frameworkNow}/`)
        ? await equivalentIn(db, r.commitmentId, frameworkNow)
        : [];
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
          equivalents={equivalents}
          mails={mails}
          attachments={attachments}
          timeZone={org.timeZone}
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
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
        const form = { values: submittedValues(request.body), errors: error.fields ?? { _: error.message } };
        return sendPage(reply, request, await detailPage(request, orgId, requestId, { which, form }), error.status);
      }
    });

  /**
   * A letter that goes to the requester by e-mail is read before it leaves: the first press shows it
   * (nothing written), « Envoyer » on that page posts the same fields again with step=send.
   */
  const previewFirst = async (
    request: FastifyRequest,
    orgId: string,
    requestId: string,
    kind: "holding" | "answer",
    extra: { message?: string | undefined; announcedOn?: string | undefined },
    keys: string[],
  ): Promise<PageOptions | null> => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const r = await getRequest(db, orgId, requestId);
    if (body.step === "send" || !r.requester.email) return null;
    const letter = await previewLetter(db, orgId, requestId, kind, extra, config.baseUrl);
    const submitted = submittedValues(body);
    const fields = Object.fromEntries(keys.flatMap((k) => (submitted[k] !== undefined ? [[k, String(submitted[k])]] : [])));
    const base = `/organisations/${orgId}/requests/${requestId}`;
    const pdfQuery = new URLSearchParams(Object.entries(extra).flatMap(([k, v]) => (v ? [[k, v]] : [])));
    return {
      title: `Aperçu — demande ${r.number}`,
      breadcrumbs: [{ label: "Demandes", href: `/organisations/${orgId}/requests` }, { label: r.number, href: base }, { label: "Aperçu" }],
      children: (
        <LetterPreview
          kind={kind}
          letter={letter}
          back={base}
          pdfHref={`${base}/letters/${kind}?${pdfQuery}`}
          action={request.url.split("?")[0] ?? base}
          fields={fields}
          csrf={request.csrfToken}
        />
      ),
    };
  };

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
      return previewFirst(request, orgId, requestId, "answer", { message: input.message }, [
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
      return previewFirst(request, orgId, requestId, "holding", { message: input.note, announcedOn: input.announcedOn }, [
        "announcedOn",
        "note",
        "version",
      ]);
    },
  );

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
