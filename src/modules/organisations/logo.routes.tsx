import type { FastifyReply, FastifyRequest } from "fastify";
import { actorOf, onOrg, PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { refusedForm } from "../../kernel/forms.ts";
import { acceptUploads, isUploadedFile } from "../../kernel/uploads/multipart.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { orgIdParams } from "./organisations.schema.ts";
import {
  getOrganisation,
  organisationHasLogo,
  organisationLogo,
  removeOrganisationLogo,
  setOrganisationLogo,
} from "./organisations.service.ts";
import { LogoPage } from "./organisations.views.tsx";

/** An organisation's logo: set and removed by whoever edits the organisation, served to the public. */
export async function organisationLogoRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db, config } = deps;
  const manage = { config: { access: onOrg("org.update") }, schema: { hide: true } };

  const page = async (request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    return {
      title: `Logo — ${org.name}`,
      breadcrumbs: [
        { label: "Organisations", href: "/organisations" },
        { label: org.name, href: `/organisations/${org.id}` },
        { label: "Logo" },
      ],
      children: (
        <LogoPage
          org={org}
          hasLogo={await organisationHasLogo(db, orgId)}
          shownToPublic={config.theme === "neutre"}
          form={form}
          csrf={request.csrfToken}
        />
      ),
    };
  };

  app.get("/organisations/:orgId/logo", manage, async (request, reply) => {
    const { orgId } = parseInput(orgIdParams, request.params);
    return sendPage(reply, request, await page(request, orgId, emptyForm()));
  });

  app.post("/organisations/:orgId/logo/delete", manage, async (request, reply) => {
    const { orgId } = parseInput(orgIdParams, request.params);
    await removeOrganisationLogo(db, actorOf(request), orgId);
    return reply.redirect(`/organisations/${orgId}/logo?ok=org.logo_removed`, 303);
  });

  // Uploads: a scope of its own, so the multipart parser serves this route only (see kernel/uploads/multipart.ts).
  await app.register(async (plugin) => {
    acceptUploads(plugin);
    plugin.post("/organisations/:orgId/logo", manage, async (request, reply: FastifyReply) => {
      const { orgId } = parseInput(orgIdParams, request.params);
      const file = ((request.body ?? {}) as Record<string, unknown>).file;
      try {
        if (!isUploadedFile(file)) throw new AppError("validation", { fields: { file: "Choisissez une image." } });
        if (file.tooLarge) throw new AppError("validation", { fields: { file: "L'image est trop volumineuse." } });
        await setOrganisationLogo(db, actorOf(request), orgId, file.data);
      } catch (error) {
        const { form, status } = refusedForm(error, {});
        return sendPage(reply, request, await page(request, orgId, form), status);
      }
      return reply.redirect(`/organisations/${orgId}/logo?ok=org.logo_set`, 303);
    });
  });

  app.get("/public/organisations/:orgId/logo", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const parsed = orgIdParams.safeParse(request.params);
    const logo = parsed.success ? await organisationLogo(db, parsed.data.orgId) : undefined;
    if (!logo) throw new AppError("http.not_found");
    return reply
      .header("content-type", logo.contentType)
      .header("x-content-type-options", "nosniff")
      .header("content-security-policy", "sandbox")
      .header("cache-control", "public, max-age=300")
      .header("last-modified", logo.updatedAt.toUTCString())
      .send(logo.data);
  });
}
