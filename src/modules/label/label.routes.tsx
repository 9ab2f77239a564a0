import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { handleForm } from "../../kernel/forms.ts";
import { can } from "../../kernel/roles.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { findingSchema, labelFileSchema } from "./label.schema.ts";
import { addFinding, checklist, findings, labelFile, saveLabelFile } from "./label.service.ts";
import { LabelPage } from "./label.views.tsx";

const orgParams = z.object({ orgId: z.uuid({ error: "Organisation introuvable." }) });

/** The label file of an organisation (staff pages): read by its members, written by its managers. */
export async function labelRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  const page = async (request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    const [file, found, list] = await Promise.all([labelFile(db, orgId), findings(db, orgId), checklist(db, orgId)]);
    const values = { ...form.values };
    // The file's form shows what is recorded unless it comes back with what was typed.
    if (!Object.keys(form.errors).length) {
      Object.assign(values, {
        candidacyOn: file.candidacyOn ?? "",
        auditOn: file.auditOn ?? "",
        body: file.body ?? "",
        level: file.level ?? "",
        certifiedOn: file.certifiedOn ?? "",
        followUpOn: file.followUpOn ?? "",
      });
    }
    return {
      title: `Dossier de label — ${org.name}`,
      breadcrumbs: [
        { label: "Organisations", href: "/organisations" },
        { label: org.name, href: `/organisations/${org.id}` },
        { label: "Dossier de label" },
      ],
      children: (
        <LabelPage
          org={org}
          file={file}
          findings={found}
          checklist={list}
          canEdit={can(actorOf(request), "commitment.manage", org.path)}
          form={{ values, errors: form.errors }}
          csrf={request.csrfToken}
        />
      ),
    };
  };

  app.get("/organisations/:orgId/label", { config: { access: onOrg("org.read") }, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await page(request, orgId, emptyForm()));
  });

  app.post(
    "/organisations/:orgId/label",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      return handleForm(
        request,
        reply,
        async () => {
          await saveLabelFile(db, actorOf(request), orgId, parseInput(labelFileSchema, request.body));
          return `/organisations/${orgId}/label`;
        },
        (form) => page(request, orgId, form),
      );
    },
  );

  app.post(
    "/organisations/:orgId/label/findings",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      return handleForm(
        request,
        reply,
        async () => {
          await addFinding(db, actorOf(request), orgId, parseInput(findingSchema, request.body));
          return `/organisations/${orgId}/label#findings`;
        },
        (form) => page(request, orgId, form),
      );
    },
  );
}
