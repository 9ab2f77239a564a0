import { z } from "zod";
import { actorOf, onOrg, PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { versionField } from "../../kernel/validation.ts";
import {
  adoptionSchema,
  commitmentQuerySchema,
  frameworkParams,
  localCommitmentSchema,
  localCommitmentUpdateSchema,
  localParams,
  orgParams,
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

const TAG = ["référentiels"];

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

/** The frameworks' JSON API: frameworks and commitments (public), then an organisation's. */
export function frameworksApiRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
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
  organisationFrameworkApi(app, deps);
  localCommitmentsApi(app, deps);
}

/** An organisation's commitments: read them, adopt a framework. */
function organisationFrameworkApi(app: App, deps: AppDeps): void {
  const { db } = deps;
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
}

/** An organisation's local commitments: add, change, delete. */
function localCommitmentsApi(app: App, deps: AppDeps): void {
  const { db } = deps;
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
