import { z } from "zod";
import { actorOf, onOrg, PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import type { FieldErrors } from "../../kernel/errors.ts";
import { formRoute } from "../../kernel/forms.ts";
import { parseInput, versionField } from "../../kernel/validation.ts";
import type { FormState } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { frameworksApiRoutes } from "./frameworks.api.ts";
import { orgPage } from "./frameworks.pages.tsx";
import {
  adoptionSchema,
  commitmentQuerySchema,
  frameworkParams,
  localCommitmentFromForm,
  localCommitmentSchema,
  localParams,
  orgParams,
} from "./frameworks.schema.ts";
import {
  adoptFramework,
  createLocalCommitment,
  deleteLocalCommitment,
  getFramework,
  listFrameworks,
  searchCommitments,
} from "./frameworks.service.ts";
import { CommitmentSearch, FrameworkList, FrameworkPage } from "./frameworks.views.tsx";

/** Messages about the form's single target are shown beside its flat fields. */
function flattenTargetErrors(fields: FieldErrors | undefined): FieldErrors | undefined {
  if (!fields) return fields;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.replace(/^targets\.0\./, ""), v]));
}

/** The page of the organisation's commitments again, messages about the single target beside its flat fields. */
const failedOn =
  (db: AppDeps["db"], which: "adopt" | "local") =>
  (form: FormState, input: { request: Parameters<typeof orgPage>[1]; params: { orgId: string } }) =>
    orgPage(db, input.request, input.params.orgId, {
      which,
      form: { values: form.values, errors: flattenTargetErrors(form.errors) ?? form.errors },
    });

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

  app.get(
    "/organisations/:orgId/commitments",
    { config: { access: onOrg("org.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      return sendPage(reply, request, await orgPage(db, request, orgId));
    },
  );

  formRoute(app, {
    url: "/organisations/:orgId/commitments/framework",
    access: onOrg("commitment.manage"),
    params: orgParams,
    body: adoptionSchema,
    run: async ({ request, params: { orgId }, body }) => {
      await adoptFramework(db, actorOf(request), orgId, body.frameworkId);
      return `/organisations/${orgId}/commitments?ok=framework.adopted`;
    },
    page: failedOn(db, "adopt"),
  });

  formRoute(app, {
    url: "/organisations/:orgId/commitments/local",
    access: onOrg("commitment.manage"),
    params: orgParams,
    run: async ({ request, params: { orgId }, body }) => {
      await createLocalCommitment(db, actorOf(request), orgId, parseInput(localCommitmentSchema, localCommitmentFromForm(body)));
      return `/organisations/${orgId}/commitments?ok=local.created`;
    },
    page: failedOn(db, "local"),
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

  frameworksApiRoutes(app, deps);
}
