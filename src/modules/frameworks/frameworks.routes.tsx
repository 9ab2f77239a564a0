import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf, onOrg, PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError, type FieldErrors } from "../../kernel/errors.ts";
import { submittedValues } from "../../kernel/forms.ts";
import { can } from "../../kernel/roles.ts";
import { parseInput, versionField } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import {
  adoptionSchema,
  commitmentQuerySchema,
  localCommitmentFromForm,
  localCommitmentSchema,
  localCommitmentUpdateSchema,
} from "./frameworks.schema.ts";
import {
  adoptFramework,
  createLocalCommitment,
  deleteLocalCommitment,
  getCommitment,
  getFramework,
  listFrameworks,
  organisationCommitments,
  searchCommitments,
  updateLocalCommitment,
} from "./frameworks.service.ts";
import { CommitmentSearch, FrameworkList, FrameworkPage, OrganisationCommitmentsPage } from "./frameworks.views.tsx";

const TAG = ["référentiels"];
const frameworkParams = z.object({ frameworkId: z.string().max(40) });
const orgParams = z.object({ orgId: z.string().uuid() });
const localParams = z.object({ orgId: z.string().uuid(), localId: z.string().uuid("Identifiant invalide.") });

const targetOut = z.object({
  metric: z.string(),
  value: z.number(),
  unit: z.string(),
  channels: z.array(z.string()).optional(),
  kinds: z.array(z.string()).optional(),
});
const commitmentOut = z.object({
  id: z.string(),
  frameworkId: z.string(),
  number: z.number(),
  title: z.string(),
  details: z.string().nullable(),
  themeId: z.string(),
  channels: z.array(z.string()),
  targets: z.array(targetOut),
  requirements: z.array(z.object({ id: z.string(), text: z.string() })),
  links: z.array(z.object({ id: z.string(), relation: z.string() })),
});
const effectiveOut = z.object({
  id: z.string(),
  number: z.number().nullable(),
  title: z.string(),
  channels: z.array(z.string()),
  targets: z.array(targetOut),
  source: z.enum(["framework", "local"]),
  frameworkTargets: z.array(targetOut).optional(),
  local: z.object({ id: z.string(), orgId: z.string() }).optional(),
});
const localOut = z.object({
  orgId: z.string(),
  id: z.string(),
  baseCommitmentId: z.string().nullable(),
  title: z.string(),
  channels: z.array(z.string()),
  targets: z.array(targetOut),
  version: z.number(),
});

/** Messages about the form's single target are shown beside its flat fields. */
function flattenTargetErrors(fields: FieldErrors | undefined): FieldErrors | undefined {
  if (!fields) return fields;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.replace(/^targets\.0\./, ""), v]));
}

export async function frameworksRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  app.get("/frameworks", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, request, { title: "Référentiels", children: <FrameworkList frameworks={await listFrameworks(db)} /> }),
  );

  app.get("/frameworks/:frameworkId", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const { frameworkId } = parseInput(frameworkParams, request.params);
    const framework = await getFramework(db, frameworkId);
    return sendPage(reply, request, {
      title: `${framework.name} (${framework.edition})`,
      breadcrumbs: [{ label: "Référentiels", href: "/frameworks" }, { label: `${framework.name} ${framework.edition}` }],
      children: <FrameworkPage framework={framework} />,
    });
  });

  app.get("/commitments", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const query = parseInput(commitmentQuerySchema, request.query);
    const [frameworks, results] = await Promise.all([
      listFrameworks(db),
      searchCommitments(db, { frameworkId: query.framework, channel: query.channel, q: query.q }),
    ]);
    return sendPage(reply, request, {
      title: "Rechercher un engagement",
      breadcrumbs: [{ label: "Référentiels", href: "/frameworks" }, { label: "Recherche" }],
      children: <CommitmentSearch frameworks={frameworks} results={results} query={query} />,
    });
  });

  const orgPage = async (request: FastifyRequest, orgId: string, failed?: { which: "adopt" | "local"; form: FormState }) => {
    const org = await getOrganisation(db, orgId);
    const [data, frameworks] = await Promise.all([organisationCommitments(db, orgId), listFrameworks(db)]);
    const ownAdoption = data.framework && data.framework.adoptedBy === orgId ? data.framework.id : undefined;
    const canManage = request.actor !== undefined && can(request.actor, "commitment.manage", org.path);
    return {
      title: `Engagements — ${org.name}`,
      breadcrumbs: [
        { label: "Organisations", href: "/organisations" },
        { label: org.name, href: `/organisations/${org.id}` },
        { label: "Engagements" },
      ],
      children: (
        <OrganisationCommitmentsPage
          orgId={org.id}
          orgName={org.name}
          data={data}
          frameworks={frameworks}
          canManage={canManage}
          csrf={request.csrfToken}
          adoptForm={failed?.which === "adopt" ? failed.form : emptyForm({ frameworkId: ownAdoption })}
          localForm={failed?.which === "local" ? failed.form : emptyForm({ unit: "working_days" })}
        />
      ),
    };
  };

  app.get(
    "/organisations/:orgId/commitments",
    { config: { access: onOrg("org.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      return sendPage(reply, request, await orgPage(request, orgId));
    },
  );

  const formPost = (path: string, which: "adopt" | "local", run: (request: FastifyRequest) => Promise<string>) =>
    app.post(path, { config: { access: onOrg("commitment.manage") }, schema: { hide: true } }, async (request, reply: FastifyReply) => {
      const { orgId } = parseInput(orgParams, request.params);
      try {
        return reply.redirect(`/organisations/${orgId}/commitments?ok=${await run(request)}`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
        const form = { values: submittedValues(request.body), errors: flattenTargetErrors(error.fields) ?? { _: error.message } };
        return sendPage(reply, request, await orgPage(request, orgId, { which, form }), error.status);
      }
    });

  formPost("/organisations/:orgId/commitments/framework", "adopt", async (request) => {
    const { orgId } = parseInput(orgParams, request.params);
    await adoptFramework(db, actorOf(request), orgId, parseInput(adoptionSchema, request.body).frameworkId);
    return "framework.adopted";
  });

  formPost("/organisations/:orgId/commitments/local", "local", async (request) => {
    const { orgId } = parseInput(orgParams, request.params);
    await createLocalCommitment(db, actorOf(request), orgId, parseInput(localCommitmentSchema, localCommitmentFromForm(request.body)));
    return "local.created";
  });

  app.post(
    "/organisations/:orgId/commitments/local/:localId/delete",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, localId } = parseInput(localParams, request.params);
      const { version } = parseInput(z.object({ version: versionField }), request.body);
      await deleteLocalCommitment(db, actorOf(request), orgId, localId, version);
      return reply.redirect(`/organisations/${orgId}/commitments?ok=local.deleted`, 303);
    },
  );

  // ---- JSON API ----
  app.get(
    "/api/v1/frameworks",
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAG,
        summary: "Les référentiels",
        response: {
          200: z.array(
            z.object({ id: z.string(), name: z.string(), edition: z.string(), summary: z.string(), commitmentCount: z.number() }),
          ),
        },
      },
    },
    async () => listFrameworks(db),
  );
  app.get(
    "/api/v1/frameworks/:frameworkId",
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAG,
        summary: "Un référentiel, ses thèmes et ses engagements avec exigences, cibles et équivalences",
        params: frameworkParams,
        response: {
          200: z.object({
            id: z.string(),
            name: z.string(),
            edition: z.string(),
            summary: z.string(),
            themes: z.array(z.object({ id: z.string(), title: z.string() })),
            commitments: z.array(commitmentOut),
          }),
        },
      },
    },
    async (request) => getFramework(db, request.params.frameworkId),
  );
  app.get(
    "/api/v1/frameworks/:frameworkId/commitments/:number",
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAG,
        summary: "Un engagement",
        params: z.object({ frameworkId: z.string().max(40), number: z.coerce.number().int().positive() }),
        response: { 200: commitmentOut },
      },
    },
    async (request) => getCommitment(db, `${request.params.frameworkId}/${request.params.number}`),
  );
  app.get(
    "/api/v1/commitments",
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAG,
        summary: "Rechercher des engagements (mots sans accents acceptés)",
        querystring: commitmentQuerySchema,
        response: { 200: z.array(commitmentOut) },
      },
    },
    async (request) => searchCommitments(db, { frameworkId: request.query.framework, channel: request.query.channel, q: request.query.q }),
  );
  app.get(
    "/api/v1/organisations/:orgId/commitments",
    {
      config: { access: onOrg("org.read") },
      schema: {
        tags: TAG,
        summary: "Les engagements en vigueur pour une organisation (référentiel hérité et engagements locaux)",
        params: orgParams,
        response: {
          200: z.object({
            framework: z
              .object({ id: z.string(), name: z.string(), edition: z.string(), adoptedBy: z.string(), adoptedAt: z.date() })
              .nullable(),
            commitments: z.array(effectiveOut),
            own: z.array(localOut),
          }),
        },
      },
    },
    async (request) => organisationCommitments(db, request.params.orgId),
  );
  app.put(
    "/api/v1/organisations/:orgId/framework",
    {
      config: { access: onOrg("commitment.manage") },
      schema: {
        tags: TAG,
        summary: "Adopter un référentiel (frameworkId absent : hériter du parent)",
        params: orgParams,
        body: adoptionSchema,
      },
    },
    async (request, reply) => {
      await adoptFramework(db, actorOf(request), request.params.orgId, request.body.frameworkId);
      return reply.status(204).send();
    },
  );
  app.post(
    "/api/v1/organisations/:orgId/local-commitments",
    {
      config: { access: onOrg("commitment.manage") },
      schema: {
        tags: TAG,
        summary: "Ajouter un engagement local",
        params: orgParams,
        body: localCommitmentSchema,
        response: { 201: localOut },
      },
    },
    async (request, reply) => reply.status(201).send(await createLocalCommitment(db, actorOf(request), request.params.orgId, request.body)),
  );
  app.put(
    "/api/v1/organisations/:orgId/local-commitments/:localId",
    {
      config: { access: onOrg("commitment.manage") },
      schema: {
        tags: TAG,
        summary: "Modifier un engagement local",
        params: localParams,
        body: localCommitmentUpdateSchema,
        response: { 200: localOut },
      },
    },
    async (request) => updateLocalCommitment(db, actorOf(request), request.params.orgId, request.params.localId, request.body),
  );
  app.delete(
    "/api/v1/organisations/:orgId/local-commitments/:localId",
    {
      config: { access: onOrg("commitment.manage") },
      schema: {
        tags: TAG,
        summary: "Supprimer un engagement local",
        params: localParams,
        querystring: z.object({ version: versionField }),
      },
    },
    async (request, reply) => {
      await deleteLocalCommitment(db, actorOf(request), request.params.orgId, request.params.localId, request.query.version);
      return reply.status(204).send();
    },
  );
}
