import type { FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { submittedValues } from "../../kernel/forms.ts";
import { can } from "../../kernel/roles.ts";
import { acceptUploads, isUploadedFile } from "../../kernel/uploads/multipart.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { campaignDetails, listCampaigns } from "../assessments/assessments.service.ts";
import { organisationCommitments } from "../frameworks/frameworks.service.ts";
import { allIndicators } from "../indicators/sources.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { importPlan } from "./actions.import.ts";
import {
  actionInputSchema,
  actionParams,
  actionUpdateSchema,
  bulkSchema,
  leversSchema,
  listQuerySchema,
  orgParams,
  statusChangeSchema,
  suggestionQuerySchema,
} from "./actions.schema.ts";
import {
  actionHistory,
  addLevers,
  bulkStatus,
  changeActionStatus,
  createAction,
  getAction,
  listPlan,
  listPlanPage,
  planCounts,
  suggestFor,
  updateAction,
  weakChannels,
} from "./actions.service.ts";
import { ActionPage, type CommitmentOption, ImportPage, NewAction, PlanBoard, PlanList, SuggestionsPage } from "./actions.views.tsx";
import { planWorkbook } from "./actions.xlsx.ts";

const isFormError = (error: unknown): error is AppError => error instanceof AppError && error.status < 500 && error.status !== 404;
const formOf = (request: FastifyRequest, error: AppError): FormState => ({
  values: submittedValues(request.body),
  errors: error.fields ?? { _: error.message },
});
const todayParis = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());

/** Action plan pages: list, board, one action, suggested levers, import and export; and the JSON API. */
export async function actionsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };
  const manage = { config: { access: onOrg("commitment.manage") }, schema: { hide: true } };
  const base = (orgId: string) => `/organisations/${orgId}/actions`;

  /** The organisation's commitments as choices, and a function naming any commitment id. */
  const commitmentsOf = async (orgId: string) => {
    const { commitments } = await organisationCommitments(db, orgId);
    const options: CommitmentOption[] = commitments.map((c) => ({
      value: c.id,
      label: `${c.number === null ? "Local" : c.number} — ${c.title.length > 70 ? `${c.title.slice(0, 70)}…` : c.title}`,
    }));
    const label = (id: string | null) => (id === null ? "Sans engagement" : (options.find((o) => o.value === id)?.label ?? id));
    return { options, label };
  };

  const page = async (
    request: FastifyRequest,
    orgId: string,
    title: string,
    children: (org: Awaited<ReturnType<typeof getOrganisation>>, canManage: boolean) => Promise<PageOptions["children"]>,
  ) => {
    const org = await getOrganisation(db, orgId);
    const canManage = can(actorOf(request), "commitment.manage", org.path);
    return {
      title: `${title} — ${org.name}`,
      breadcrumbs: [{ label: org.name, href: `/organisations/${orgId}` }, { label: "Plan d'actions", href: base(orgId) }, { label: title }],
      children: await children(org, canManage),
    } satisfies PageOptions;
  };

  const listPage = async (request: FastifyRequest, orgId: string, form: FormState) => {
    const query = listQuerySchema.parse(request.query ?? {});
    const today = todayParis();
    return page(request, orgId, "Liste des actions", async (org, canManage) => {
      const [{ actions, total, next }, counts, commitments] = await Promise.all([
        listPlanPage(
          db,
          orgId,
          {
            status: query.status,
            commitmentId: query.commitment,
            channel: query.channel,
            owner: query.owner,
            planYear: query.year,
            q: query.q,
            overdueOn: query.overdue ? today : undefined,
            siteName: query.site,
          },
          query.after,
        ),
        planCounts(db, orgId, query.year),
        commitmentsOf(orgId),
      ]);
      return (
        <PlanList
          orgId={orgId}
          orgName={org.name}
          actions={actions}
          total={total}
          next={next}
          counts={counts}
          query={query}
          commitments={commitments.options}
          commitmentLabel={commitments.label}
          today={today}
          canManage={canManage}
          form={form}
          csrf={request.csrfToken}
        />
      );
    });
  };

  app.get("/organisations/:orgId/actions", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await listPage(request, orgId, emptyForm()));
  });

  app.post("/organisations/:orgId/actions/bulk", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      const { ids, status } = parseInput(bulkSchema, request.body);
      await bulkStatus(db, actorOf(request), orgId, ids, status);
      return reply.redirect(`${base(orgId)}?ok=actions.bulk`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(reply, request, await listPage(request, orgId, formOf(request, error)), error.status);
    }
  });

  app.get("/organisations/:orgId/actions/board", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const today = todayParis();
    return sendPage(
      reply,
      request,
      await page(request, orgId, "Tableau des actions", async (org, canManage) => {
        const [actions, commitments] = await Promise.all([listPlan(db, orgId, {}), commitmentsOf(orgId)]);
        return (
          <PlanBoard
            orgId={orgId}
            orgName={org.name}
            actions={actions}
            commitmentLabel={commitments.label}
            today={today}
            canManage={canManage}
            csrf={request.csrfToken}
          />
        );
      }),
    );
  });

  const newPage = async (request: FastifyRequest, orgId: string, form: FormState) =>
    page(request, orgId, "Nouvelle action", async (org) => (
      <NewAction orgId={orgId} orgName={org.name} form={form} commitments={(await commitmentsOf(orgId)).options} csrf={request.csrfToken} />
    ));

  app.get("/organisations/:orgId/actions/new", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(
      reply,
      request,
      await newPage(request, orgId, emptyForm({ planYear: String(new Date().getFullYear()), status: "todo" })),
    );
  });

  app.post("/organisations/:orgId/actions/new", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      const created = await createAction(db, actorOf(request), orgId, parseInput(actionInputSchema, request.body));
      return reply.redirect(`${base(orgId)}/${created.id}?ok=action.created`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(reply, request, await newPage(request, orgId, formOf(request, error)), error.status);
    }
  });

  const suggestionsPage = async (request: FastifyRequest, orgId: string, form: FormState) => {
    const { assessment } = suggestionQuerySchema.parse(request.query ?? {});
    return page(request, orgId, "Leviers suggérés", async (org, canManage) => {
      const campaigns = await listCampaigns(db, orgId);
      const campaign = campaigns.find((c) => c.id === assessment) ?? campaigns[0];
      const details = campaign ? await campaignDetails(db, orgId, campaign.id) : undefined;
      const year = campaign?.year ?? new Date().getFullYear();
      const indicators = await allIndicators(db, orgId, { from: `${year}-01-01`, to: `${year}-12-31` });
      const suggestions = await suggestFor(
        db,
        (details?.commitments ?? []).filter((c) => c.number !== null).map((c) => ({ id: c.id, title: c.title, score: c.score.score })),
        weakChannels(indicators),
      );
      const existing = (await listPlan(db, orgId, {})).filter((a) => a.orgId === orgId && a.leverId).map((a) => a.leverId ?? "");
      const values = { planYear: String(year + 1), ...form.values };
      return (
        <SuggestionsPage
          orgId={orgId}
          orgName={org.name}
          suggestions={suggestions}
          assessmentYear={campaign?.year ?? null}
          existingLevers={existing}
          form={{ values, errors: form.errors }}
          canManage={canManage}
          csrf={request.csrfToken}
        />
      );
    });
  };

  app.get("/organisations/:orgId/actions/suggestions", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await suggestionsPage(request, orgId, emptyForm()));
  });

  app.post("/organisations/:orgId/actions/levers", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      await addLevers(db, actorOf(request), orgId, parseInput(leversSchema, request.body));
      return reply.redirect(`${base(orgId)}?ok=actions.levers`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(reply, request, await suggestionsPage(request, orgId, formOf(request, error)), error.status);
    }
  });

  const importPage = async (
    request: FastifyRequest,
    orgId: string,
    extra: { report?: Awaited<ReturnType<typeof importPlan>>; error?: string },
  ) =>
    page(request, orgId, "Import et export", async (org) => (
      <ImportPage orgId={orgId} orgName={org.name} csrf={request.csrfToken} {...extra} />
    ));

  app.get("/organisations/:orgId/actions/import", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await importPage(request, orgId, {}));
  });

  await app.register(async (plugin) => {
    acceptUploads(plugin);
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.post("/organisations/:orgId/actions/import", manage, async (request, reply: FastifyReply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const file = body.file;
      if (!isUploadedFile(file) || file.data.length === 0) {
        return sendPage(reply, request, await importPage(request, orgId, { error: "Choisissez le classeur du plan (.xlsx)." }), 400);
      }
      if (file.tooLarge) return sendPage(reply, request, await importPage(request, orgId, { error: "Le fichier dépasse 10 Mo." }), 413);
      const commit = body.mode === "commit";
      const report = await importPlan(db, actorOf(request), orgId, file.data, { commit, defaultYear: new Date().getFullYear() });
      return sendPage(reply, request, await importPage(request, orgId, { report }), report.sheet.errors.length ? 400 : 200);
    });
  });

  app.get("/organisations/:orgId/actions/export.xlsx", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const actions = (await listPlan(db, orgId, { limit: 10_000 })).filter((a) => a.orgId === orgId);
    return reply
      .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
      .header("content-disposition", 'attachment; filename="plan-d-actions.xlsx"')
      .header("cache-control", "no-store")
      .send(await planWorkbook(actions));
  });

  const actionPage = async (request: FastifyRequest, orgId: string, actionId: string, form: FormState | null) => {
    const action = await getAction(db, orgId, actionId);
    return page(request, orgId, `Action ${action.number}`, async (_org, canManage) => {
      const values = {
        title: action.title,
        commitmentId: action.commitmentId ?? "",
        channel: action.channel ?? "",
        owner: action.owner ?? "",
        service: action.service ?? "",
        dueOn: action.dueOn ?? "",
        planYear: String(action.planYear),
        status: action.status,
      };
      return (
        <ActionPage
          orgId={orgId}
          action={action}
          history={await actionHistory(db, orgId, actionId)}
          form={form ?? emptyForm(values)}
          commitments={(await commitmentsOf(orgId)).options}
          canManage={canManage}
          csrf={request.csrfToken}
        />
      );
    });
  };

  app.get("/organisations/:orgId/actions/:actionId", read, async (request, reply) => {
    const { orgId, actionId } = parseInput(actionParams, request.params);
    return sendPage(reply, request, await actionPage(request, orgId, actionId, null));
  });

  app.post("/organisations/:orgId/actions/:actionId", manage, async (request, reply) => {
    const { orgId, actionId } = parseInput(actionParams, request.params);
    try {
      await updateAction(db, actorOf(request), orgId, actionId, parseInput(actionUpdateSchema, request.body));
      return reply.redirect(`${base(orgId)}/${actionId}?ok=action.updated`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(reply, request, await actionPage(request, orgId, actionId, formOf(request, error)), error.status);
    }
  });

  app.post("/organisations/:orgId/actions/:actionId/status", manage, async (request, reply) => {
    const { orgId, actionId } = parseInput(actionParams, request.params);
    const back = (request.body as { back?: unknown } | undefined)?.back === "board" ? `${base(orgId)}/board` : `${base(orgId)}/${actionId}`;
    try {
      await changeActionStatus(db, actorOf(request), orgId, actionId, parseInput(statusChangeSchema, request.body));
      return reply.redirect(`${back}?ok=action.updated`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(reply, request, await actionPage(request, orgId, actionId, formOf(request, error)), error.status);
    }
  });

  // ---- JSON API ----
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
        overdueOn: q.overdue ? todayParis() : undefined,
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
