import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/schema.ts";
import { actorOf, onOrg, PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError, isAppError } from "../../kernel/errors.ts";
import { refusedForm } from "../../kernel/forms.ts";
import { blankAsAbsent, parseInput } from "../../kernel/validation.ts";
import { formatNumber } from "../../ui/format.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { auditActor } from "../audit/audit.service.ts";
import { getOrganisation, organisationHasLogo } from "../organisations/organisations.service.ts";
import {
  erasePerson,
  exportPerson,
  findPerson,
  type PersonData,
  privacyContact,
  retentionPeriods,
  savePrivacySettings,
} from "./privacy.service.ts";
import { PrivacyPage, PublicPrivacyPage, RegisterPage, settingsValues } from "./privacy.views.tsx";
import { RETENTION_KINDS, RETENTION_RULES } from "./retention.ts";

const orgParams = z.object({ orgId: z.uuid({ error: "Organisation introuvable." }) });
const optionalEmail = blankAsAbsent(
  z.string().trim().max(320).email({ error: "Saisissez une adresse électronique valide, par exemple nom@exemple.fr." }).optional(),
);
const personSchema = z.object({
  email: optionalEmail,
  name: blankAsAbsent(z.string().trim().max(200, { error: "Le nom ne doit pas dépasser 200 caractères." }).optional()),
});
const months = (label: string, min = 1, max = 1200) =>
  z.coerce
    .number({ error: `${label}\u00a0: saisissez un nombre de mois.` })
    .int({ error: `${label}\u00a0: saisissez un nombre entier de mois.` })
    .min(min, { error: `${label}\u00a0: au moins ${formatNumber(min)}\u00a0mois.` })
    .max(max, { error: `${label}\u00a0: au plus ${formatNumber(max)}\u00a0mois.` });
const settingsSchema = z.object({
  ...Object.fromEntries(
    RETENTION_KINDS.map((k) => [`months_${k}`, months(RETENTION_RULES[k].label, RETENTION_RULES[k].min, RETENTION_RULES[k].max)]),
  ),
  contactEmail: optionalEmail,
  dpoName: blankAsAbsent(z.string().trim().max(200, { error: "Le nom du délégué ne doit pas dépasser 200 caractères." }).optional()),
  dpoEmail: optionalEmail,
}) as z.ZodType<Record<string, number | string | undefined>>;
const eraseSchema = personSchema.extend({
  confirm: z.literal("true", { error: "Cochez la case pour confirmer l'effacement." }),
});

/** The privacy page of an organisation: its settings, and the person searched for, if any. */
async function privacyPage(
  db: Kysely<DB>,
  request: FastifyRequest,
  orgId: string,
  parts: { settings?: FormState; search?: FormState; found?: PersonData | null },
) {
  const org = await getOrganisation(db, orgId);
  const settings = parts.settings ?? emptyForm(settingsValues(await retentionPeriods(db, orgId), await privacyContact(db, orgId)));
  return {
    title: `Données personnelles — ${org.name}`,
    breadcrumbs: [
      { label: "Organisations", href: "/organisations" },
      { label: org.name, href: `/organisations/${org.id}` },
      { label: "Données personnelles" },
    ],
    children: (
      <PrivacyPage
        org={org}
        csrf={request.csrfToken}
        settings={settings}
        search={parts.search ?? emptyForm()}
        found={parts.found ?? null}
      />
    ),
  };
}

/** The text fields of a query or a body, as typed, to show them again. */
const typed = (body: unknown) =>
  Object.fromEntries(
    Object.entries((body ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
const formError = (error: unknown, values: Record<string, string>): FormState => refusedForm(error, values).form;

/** « Données personnelles » of an organisation (issue #17, point 5): for whoever administers it (org.update). */
export async function privacyRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const access = { access: onOrg("org.update") };
  const page = (request: FastifyRequest, orgId: string, parts: Parameters<typeof privacyPage>[3]) => privacyPage(db, request, orgId, parts);

  app.get("/organisations/:orgId/privacy", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const values = typed(request.query);
    if (!values.email && !values.name) return sendPage(reply, request, await page(request, orgId, {}));
    try {
      const found = await findPerson(db, orgId, parseInput(personSchema, request.query));
      return sendPage(reply, request, await page(request, orgId, { search: emptyForm(values), found }));
    } catch (error) {
      const search = formError(error, values);
      return sendPage(reply, request, await page(request, orgId, { search }), 400);
    }
  });

  app.post("/organisations/:orgId/privacy/settings", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      const input = parseInput(settingsSchema, request.body);
      const periods = Object.fromEntries(RETENTION_KINDS.map((k) => [k, Number(input[`months_${k}`])])) as Record<
        (typeof RETENTION_KINDS)[number],
        number
      >;
      const text = (v: unknown) => (typeof v === "string" ? v : "");
      await savePrivacySettings(db, auditActor(actorOf(request)), orgId, periods, {
        contactEmail: text(input.contactEmail),
        dpoName: text(input.dpoName),
        dpoEmail: text(input.dpoEmail),
      });
    } catch (error) {
      const settings = formError(error, typed(request.body));
      return sendPage(reply, request, await page(request, orgId, { settings }), error instanceof AppError ? error.status : 400);
    }
    return reply.redirect(`/organisations/${orgId}/privacy?ok=privacy.saved`, 303);
  });

  app.get("/organisations/:orgId/privacy/register", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const org = await getOrganisation(db, orgId);
    const [periods, contact] = [await retentionPeriods(db, orgId), await privacyContact(db, orgId)];
    return sendPage(reply, request, {
      title: `Registre des activités de traitement — ${org.name}`,
      breadcrumbs: [
        { label: "Organisations", href: "/organisations" },
        { label: org.name, href: `/organisations/${org.id}` },
        { label: "Données personnelles", href: `/organisations/${org.id}/privacy` },
        { label: "Registre des traitements" },
      ],
      children: <RegisterPage org={org} periods={periods} contact={contact} />,
    });
  });

  privacyPersonRoutes(app, deps);
  publicPrivacyRoutes(app, deps);
}

/** A person's rights (RGPD art. 15 and 17): the export of what is held on them, and its erasure. */
function privacyPersonRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  const access = { access: onOrg("org.update") };

  app.get("/organisations/:orgId/privacy/export", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const query = parseInput(personSchema, request.query);
    const data = await exportPerson(db, auditActor(actorOf(request)), orgId, query);
    return reply
      .header("content-type", "application/json; charset=utf-8")
      .header("content-disposition", 'attachment; filename="donnees-personnelles.json"')
      .send(JSON.stringify({ exportedAt: new Date().toISOString(), ...data }, null, 2));
  });

  app.post("/organisations/:orgId/privacy/erase", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const values = typed(request.body);
    try {
      const input = parseInput(eraseSchema, request.body);
      await erasePerson(db, auditActor(actorOf(request)), orgId, { email: input.email, name: input.name });
    } catch (error) {
      const search = formError(error, values);
      let found: PersonData | null = null;
      try {
        found = await findPerson(db, orgId, parseInput(personSchema, request.body));
      } catch {
        found = null;
      }
      return sendPage(reply, request, await privacyPage(db, request, orgId, { search, found }), isAppError(error) ? error.status : 400);
    }
    return reply.redirect(`/organisations/${orgId}/privacy?ok=privacy.erased`, 303);
  });
}

/**
 * The public side (RGPD art. 13): what a member of the public is told, linked from the organisation's
 * public results and from the form that collects their data. Generated at each request from the settings.
 */
function publicPrivacyRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get(
    "/public/organisations/:orgId/donnees-personnelles",
    { config: { access: PUBLIC }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const org = await getOrganisation(db, orgId).catch(() => {
        throw new AppError("organisation.not_found");
      });
      const [periods, contact, hasLogo] = await Promise.all([
        retentionPeriods(db, orgId),
        privacyContact(db, orgId),
        organisationHasLogo(db, orgId),
      ]);
      return sendPage(reply, request, {
        light: true,
        title: `Vos données personnelles — ${org.name}`,
        children: <PublicPrivacyPage org={org} logo={hasLogo && deps.config.theme === "neutre"} periods={periods} contact={contact} />,
      });
    },
  );
}
