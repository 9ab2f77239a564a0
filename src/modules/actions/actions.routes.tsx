import type { FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { formRoute } from "../../kernel/forms.ts";
import { acceptUploads, isUploadedFile } from "../../kernel/uploads/multipart.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { actionsApiRoutes } from "./actions.api.ts";
import { importPlan } from "./actions.import.ts";
import { actionPage, actionsBase as base, boardPage, importPage, listPage, newPage, suggestionsPage } from "./actions.pages.tsx";
import {
  actionInputSchema,
  actionParams,
  actionUpdateSchema,
  bulkSchema,
  leversSchema,
  orgParams,
  statusChangeSchema,
} from "./actions.schema.ts";
import { addLevers, bulkStatus, changeActionStatus, createAction, listPlan, updateAction } from "./actions.service.ts";
import { planWorkbook } from "./actions.xlsx.ts";

/** Action plan pages: list, board, one action, suggested levers, import and export; and the JSON API. */
export async function actionsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };
  const manage = onOrg("commitment.manage");

  app.get("/organisations/:orgId/actions", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await listPage(db, request, orgId, emptyForm()));
  });

  formRoute(app, {
    url: "/organisations/:orgId/actions/bulk",
    access: manage,
    params: orgParams,
    body: bulkSchema,
    run: async ({ request, params: { orgId }, body: { ids, status } }) => {
      await bulkStatus(db, actorOf(request), orgId, ids, status);
      return `${base(orgId)}?ok=actions.bulk`;
    },
    page: (form, { request, params }) => listPage(db, request, params.orgId, form),
  });

  app.get("/organisations/:orgId/actions/board", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await boardPage(db, request, orgId));
  });

  app.get("/organisations/:orgId/actions/new", { config: { access: manage }, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const form = emptyForm({ planYear: String(new Date().getFullYear()), status: "todo" });
    return sendPage(reply, request, await newPage(db, request, orgId, form));
  });

  formRoute(app, {
    url: "/organisations/:orgId/actions/new",
    access: manage,
    params: orgParams,
    body: actionInputSchema,
    run: async ({ request, params: { orgId }, body }) => {
      const created = await createAction(db, actorOf(request), orgId, body);
      return `${base(orgId)}/${created.id}?ok=action.created`;
    },
    page: (form, { request, params }) => newPage(db, request, params.orgId, form),
  });

  app.get("/organisations/:orgId/actions/suggestions", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await suggestionsPage(db, request, orgId, emptyForm()));
  });

  formRoute(app, {
    url: "/organisations/:orgId/actions/levers",
    access: manage,
    params: orgParams,
    body: leversSchema,
    run: async ({ request, params: { orgId }, body }) => {
      await addLevers(db, actorOf(request), orgId, body);
      return `${base(orgId)}?ok=actions.levers`;
    },
    page: (form, { request, params }) => suggestionsPage(db, request, params.orgId, form),
  });

  await actionsFileRoutes(app, deps);

  oneActionRoutes(app, deps);
  actionsApiRoutes(app, deps);
}

/** Import and export of the plan as a workbook. */
async function actionsFileRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };
  const manage = { config: { access: onOrg("commitment.manage") }, schema: { hide: true } };

  app.get("/organisations/:orgId/actions/import", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await importPage(db, request, orgId, {}));
  });

  await app.register(async (plugin) => {
    acceptUploads(plugin);
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.post("/organisations/:orgId/actions/import", manage, async (request, reply: FastifyReply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const file = body.file;
      if (!isUploadedFile(file) || file.data.length === 0) {
        return sendPage(reply, request, await importPage(db, request, orgId, { error: "Choisissez le classeur du plan (.xlsx)." }), 400);
      }
      if (file.tooLarge) return sendPage(reply, request, await importPage(db, request, orgId, { error: "Le fichier dépasse 10 Mo." }), 413);
      const commit = body.mode === "commit";
      const report = await importPlan(db, actorOf(request), orgId, file.data, { commit, defaultYear: new Date().getFullYear() });
      return sendPage(reply, request, await importPage(db, request, orgId, { report }), report.sheet.errors.length ? 400 : 200);
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
}

/** One action: its page, its edit form and its status buttons. */
function oneActionRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  const manage = onOrg("commitment.manage");
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };

  app.get("/organisations/:orgId/actions/:actionId", read, async (request, reply) => {
    const { orgId, actionId } = parseInput(actionParams, request.params);
    return sendPage(reply, request, await actionPage(db, request, orgId, actionId, null));
  });

  formRoute(app, {
    url: "/organisations/:orgId/actions/:actionId",
    access: manage,
    params: actionParams,
    body: actionUpdateSchema,
    run: async ({ request, params: { orgId, actionId }, body }) => {
      await updateAction(db, actorOf(request), orgId, actionId, body);
      return `${base(orgId)}/${actionId}?ok=action.updated`;
    },
    page: (form, { request, params }) => actionPage(db, request, params.orgId, params.actionId, form),
  });

  formRoute(app, {
    url: "/organisations/:orgId/actions/:actionId/status",
    access: manage,
    params: actionParams,
    body: statusChangeSchema,
    run: async ({ request, params: { orgId, actionId }, body }) => {
      const back =
        (request.body as { back?: unknown } | undefined)?.back === "board" ? `${base(orgId)}/board` : `${base(orgId)}/${actionId}`;
      await changeActionStatus(db, actorOf(request), orgId, actionId, body);
      return `${back}?ok=action.updated`;
    },
    page: (form, { request, params }) => actionPage(db, request, params.orgId, params.actionId, form),
  });
}
