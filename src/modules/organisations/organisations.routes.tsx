import { z } from "zod";
import { actorOf, anywhere, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { handleForm } from "../../kernel/forms.ts";
import type { Actor } from "../../kernel/roles.ts";
import { can, canSomewhere } from "../../kernel/roles.ts";
import { parseInput, versionField } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import type { Organisation } from "./organisation.ts";
import { organisationCreateSchema, organisationOut, organisationUpdateSchema, orgIdParams } from "./organisations.schema.ts";
import {
  createOrganisation,
  deleteOrganisation,
  getOrganisation,
  listVisible,
  organisationTree,
  treeCountPoint,
  updateOrganisation,
} from "./organisations.service.ts";
import { OrganisationDetails, OrganisationForm, OrganisationList, organisationFormValues } from "./organisations.views.tsx";

const TAG = ["organisations"];

export async function organisationsRoutes(app: App, deps: AppDeps): Promise<void> {
  await organisationPages(app, deps);
  await organisationsApi(app, deps);
}

/** The pages of the tree: the list (with its search), an organisation's page, and (below) creating and editing. */
async function organisationPages(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  app.get("/organisations", { config: { access: anywhere("org.read") }, schema: { hide: true } }, async (request, reply) => {
    const actor = actorOf(request);
    const raw = (request.query as { q?: unknown }).q;
    const search = typeof raw === "string" && raw.trim() ? raw.trim().slice(0, 200) : undefined;
    const tree = await organisationTree(db, actor, search);
    const others = await Promise.all(
      treeCountPoint.items().map(async (count) => ({ values: await count.read(db, actor), label: count.label })),
    );
    return sendPage(reply, request, {
      title: search ? `Organisations — recherche « ${search} »` : "Organisations",
      children: (
        <OrganisationList
          orgs={tree.orgs}
          canCreate={canSomewhere(actor, "org.create")}
          search={search}
          matches={tree.matches}
          truncated={tree.truncated}
          counts={{ sitesBelow: tree.sitesBelow, others }}
        />
      ),
    });
  });

  app.get("/organisations/:orgId", { config: { access: onOrg("org.read") }, schema: { hide: true } }, async (request, reply) => {
    const actor = actorOf(request);
    const { orgId } = parseInput(orgIdParams, request.params);
    const org = await getOrganisation(db, orgId);
    const visible = await listVisible(db, actor);
    const ancestors = org.path.flatMap((id) => visible.find((o) => o.id === id) ?? []);
    const children = visible.filter((o) => o.parentId === org.id);
    return sendPage(reply, request, {
      title: org.name,
      breadcrumbs: [{ label: "Organisations", href: "/organisations" }, { label: org.name }],
      children: (
        <OrganisationDetails
          org={org}
          ancestors={ancestors}
          children={children}
          canUpdate={can(actor, "org.update", org.path)}
          canDelete={can(actor, "org.delete", org.path)}
          canWebhooks={can(actor, "webhook.manage", org.path)}
          canCreate={can(actor, "org.create", org.path) && org.kind !== "service"}
          csrf={request.csrfToken}
        />
      ),
    });
  });

  organisationCreatePages(app, deps);
  organisationEditPages(app, deps);
}

/** Creating an organisation: the form, under a parent the person may create in. */
function organisationCreatePages(app: App, deps: AppDeps): void {
  const { db } = deps;
  const newPage = (csrf: string, parents: Organisation[], form: FormState) => ({
    title: "Nouvelle organisation",
    breadcrumbs: [{ label: "Organisations", href: "/organisations" }, { label: "Nouvelle organisation" }],
    children: (
      <div class="fr-col-12 fr-col-md-8">
        <h1>Nouvelle organisation</h1>
        <OrganisationForm form={form} csrf={csrf} action="/organisations/new" parents={parents} editing={false} />
      </div>
    ),
  });
  /** Where the actor may attach a new organisation (a service holds nothing). */
  const possibleParents = async (actor: Actor) => (await listVisible(db, actor, "org.create")).filter((o) => o.kind !== "service");

  app.get("/organisations/new", { config: { access: anywhere("org.create") }, schema: { hide: true } }, async (request, reply) => {
    const parentId = (request.query as { parentId?: unknown }).parentId;
    const form = emptyForm({
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
      ...(typeof parentId === "string" ? { parentId } : {}),
    });
    return sendPage(reply, request, newPage(request.csrfToken, await possibleParents(actorOf(request)), form));
  });

  app.post("/organisations/new", { config: { access: anywhere("org.create") }, schema: { hide: true } }, async (request, reply) => {
    const actor = actorOf(request);
    const parents = await possibleParents(actor);
    return handleForm(
      request,
      reply,
      async () => {
        const org = await createOrganisation(db, actor, parseInput(organisationCreateSchema, request.body));
        return `/organisations/${org.id}?ok=org.created`;
      },
      (form) => newPage(request.csrfToken, parents, form),
    );
  });
}

/** Editing and deleting an organisation. */
function organisationEditPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  const editPage = (csrf: string, orgId: string, name: string, form: FormState) => ({
    title: `Modifier ${name}`,
    breadcrumbs: [
      { label: "Organisations", href: "/organisations" },
      { label: name, href: `/organisations/${orgId}` },
      { label: "Modifier" },
    ],
    children: (
      <div class="fr-col-12 fr-col-md-8">
        <h1>Modifier {name}</h1>
        <OrganisationForm form={form} csrf={csrf} action={`/organisations/${orgId}/edit`} parents={null} editing={true} />
      </div>
    ),
  });

  app.get("/organisations/:orgId/edit", { config: { access: onOrg("org.update") }, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgIdParams, request.params);
    const org = await getOrganisation(db, orgId);
    return sendPage(reply, request, editPage(request.csrfToken, org.id, org.name, emptyForm(organisationFormValues(org))));
  });

  app.post("/organisations/:orgId/edit", { config: { access: onOrg("org.update") }, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgIdParams, request.params);
    const org = await getOrganisation(db, orgId);
    return handleForm(
      request,
      reply,
      async () => {
        await updateOrganisation(db, actorOf(request), orgId, parseInput(organisationUpdateSchema, request.body));
        return `/organisations/${orgId}?ok=org.updated`;
      },
      (form) => editPage(request.csrfToken, orgId, org.name, form),
    );
  });

  app.post("/organisations/:orgId/delete", { config: { access: onOrg("org.delete") }, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgIdParams, request.params);
    const input = parseInput(
      z.object({
        version: versionField,
        confirm: z.literal("true", { error: "Cochez la case pour confirmer la suppression." }),
      }),
      request.body,
    );
    await deleteOrganisation(db, actorOf(request), orgId, input.version);
    return reply.redirect("/organisations?ok=org.deleted", 303);
  });
}

async function organisationsApi(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  // ---- JSON API ----
  app.get(
    "/api/v1/organisations",
    {
      config: { access: anywhere("org.read") },
      schema: { tags: TAG, summary: "Les organisations visibles par le compte connecté", response: { 200: z.array(organisationOut) } },
    },
    async (request) => listVisible(db, actorOf(request)),
  );

  app.post(
    "/api/v1/organisations",
    {
      config: { access: anywhere("org.create") },
      schema: { tags: TAG, summary: "Créer une organisation", body: organisationCreateSchema, response: { 201: organisationOut } },
    },
    async (request, reply) => reply.status(201).send(await createOrganisation(db, actorOf(request), request.body)),
  );

  app.get(
    "/api/v1/organisations/:orgId",
    {
      config: { access: onOrg("org.read") },
      schema: { tags: TAG, summary: "Une organisation", params: orgIdParams, response: { 200: organisationOut } },
    },
    async (request) => getOrganisation(db, request.params.orgId),
  );

  app.put(
    "/api/v1/organisations/:orgId",
    {
      config: { access: onOrg("org.update") },
      schema: {
        tags: TAG,
        summary: "Modifier une organisation (version attendue obligatoire : 409 si elle a changé)",
        params: orgIdParams,
        body: organisationUpdateSchema,
        response: { 200: organisationOut },
      },
    },
    async (request) => updateOrganisation(db, actorOf(request), request.params.orgId, request.body),
  );

  app.delete(
    "/api/v1/organisations/:orgId",
    {
      config: { access: onOrg("org.delete") },
      schema: {
        tags: TAG,
        summary: "Supprimer une organisation sans organisation rattachée",
        params: orgIdParams,
        querystring: z.object({ version: versionField }),
      },
    },
    async (request, reply) => {
      await deleteOrganisation(db, actorOf(request), request.params.orgId, request.query.version);
      return reply.status(204).send();
    },
  );
}
