import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { handleForm } from "../../kernel/forms.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { annuaireImportSchema, publicInfoSchema } from "./opening-hours.schema.ts";
import { getPublicInfo, importFromAnnuaire, type PublicInfo, savePublicInfo } from "./opening-hours.service.ts";
import { infoValues, PublicInfoView } from "./opening-hours.views.tsx";

const orgParams = z.object({ orgId: z.string().uuid() });
const TAG = ["horaires et accès"];

const infoOut = z.object({
  openingHours: z.string().nullable(),
  validFrom: z.string().nullable(),
  note: z.string().nullable(),
  upcoming: z.object({ validFrom: z.string(), openingHours: z.string() }).nullable(),
  history: z.array(z.object({ validFrom: z.string(), openingHours: z.string(), note: z.string().nullable() })),
  accessibility: z.string().nullable(),
  stepFree: z.boolean().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  website: z.string().nullable(),
  closesDeadlines: z.boolean(),
  version: z.number(),
});

function present(p: PublicInfo): z.infer<typeof infoOut> {
  return {
    openingHours: p.current?.hours ?? null,
    validFrom: p.current?.validFrom ?? null,
    note: p.current?.note ?? null,
    upcoming: p.upcoming ? { validFrom: p.upcoming.validFrom, openingHours: p.upcoming.hours } : null,
    history: p.history.map((h) => ({ validFrom: h.validFrom, openingHours: h.hours, note: h.note })),
    accessibility: p.info.accessibility,
    stepFree: p.info.stepFree,
    phone: p.info.phone,
    email: p.info.email,
    website: p.info.website,
    closesDeadlines: p.info.closesDeadlines,
    version: p.info.version,
  };
}

/** Opening hours, accessibility and contact channels: the referent's page and the JSON API. */
export async function openingHoursRoutes(app: App, deps: AppDeps): Promise<void> {
  publicInfoPages(app, deps);
  publicInfoApi(app, deps);
}

/** Loads what the page shows, then renders it with whichever form failed (handleForm renders synchronously). */
async function pageFor(deps: AppDeps, request: FastifyRequest, orgId: string) {
  const { db } = deps;
  const org = await getOrganisation(db, orgId);
  const info = await getPublicInfo(db, orgId);
  return (forms: { form?: FormState; importForm?: FormState }): PageOptions => ({
    title: `Horaires et accès — ${org.name}`,
    breadcrumbs: [{ label: org.name, href: `/organisations/${orgId}` }, { label: "Horaires et accès" }],
    children: (
      <PublicInfoView
        orgId={orgId}
        orgName={org.name}
        info={info}
        form={forms.form ?? emptyForm(infoValues(info))}
        importForm={forms.importForm ?? emptyForm()}
        csrf={request.csrfToken}
      />
    ),
  });
}

/** The referent's page: the form, and the import of a card of the Annuaire de l'administration. */
function publicInfoPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get(
    "/organisations/:orgId/public-info",
    { config: { access: onOrg("org.update") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      return sendPage(reply, request, (await pageFor(deps, request, orgId))({}));
    },
  );

  app.post(
    "/organisations/:orgId/public-info",
    { config: { access: onOrg("org.update") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const page = await pageFor(deps, request, orgId);
      return handleForm(
        request,
        reply,
        async () => {
          await savePublicInfo(db, actorOf(request), orgId, parseInput(publicInfoSchema, request.body));
          return `/organisations/${orgId}/public-info?ok=public_info.saved`;
        },
        (form) => page({ form }),
      );
    },
  );

  app.post(
    "/organisations/:orgId/public-info/annuaire",
    { config: { access: onOrg("org.update") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const page = await pageFor(deps, request, orgId);
      return handleForm(
        request,
        reply,
        async () => {
          await importFromAnnuaire(db, actorOf(request), orgId, parseInput(annuaireImportSchema, request.body));
          return `/organisations/${orgId}/public-info?ok=public_info.imported`;
        },
        (importForm) => page({ importForm }),
      );
    },
  );
}

/** The JSON resource: read, save, import from the Annuaire. */
function publicInfoApi(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get(
    "/api/v1/organisations/:orgId/public-info",
    {
      config: { access: onOrg("org.read") },
      schema: {
        tags: TAG,
        summary: "Horaires (avec leur historique), accessibilité et contacts",
        params: orgParams,
        response: { 200: infoOut },
      },
    },
    async (request) => present(await getPublicInfo(db, request.params.orgId)),
  );

  app.put(
    "/api/v1/organisations/:orgId/public-info",
    {
      config: { access: onOrg("org.update") },
      schema: {
        tags: TAG,
        summary: "Enregistrer horaires (syntaxe OpenStreetMap, à partir d'une date), accessibilité et contacts",
        params: orgParams,
        body: publicInfoSchema,
        response: { 200: infoOut },
      },
    },
    async (request) => {
      await savePublicInfo(db, actorOf(request), request.params.orgId, request.body);
      return present(await getPublicInfo(db, request.params.orgId));
    },
  );

  app.post(
    "/api/v1/organisations/:orgId/public-info/annuaire",
    {
      config: { access: onOrg("org.update") },
      schema: {
        tags: TAG,
        summary: "Importer horaires, contacts et accessibilité d'une fiche de l'Annuaire de l'administration",
        params: orgParams,
        body: annuaireImportSchema,
        response: { 200: infoOut },
      },
    },
    async (request) => {
      await importFromAnnuaire(db, actorOf(request), request.params.orgId, request.body);
      return present(await getPublicInfo(db, request.params.orgId));
    },
  );
}
