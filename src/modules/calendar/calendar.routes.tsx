import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { handleForm } from "../../kernel/forms.ts";
import { can } from "../../kernel/roles.ts";
import { isoDate, parseInput, requiredText } from "../../kernel/validation.ts";
import { formatDate } from "../../ui/format.ts";
import { CsrfField, ErrorSummary, emptyForm, type FormState, TextField } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { HOLIDAY_ZONE_LABELS } from "../organisations/organisation.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { addClosure, closuresOf, removeClosure } from "./calendar.service.ts";
import { createCalendar } from "./calendar.ts";

const orgParams = z.object({ orgId: z.string().uuid() });
const day = isoDate;
const closureSchema = z.object({ day, label: requiredText(200, "Le motif") });
const frenchDay = (iso: string) => formatDate(iso, { weekday: true });

export async function calendarRoutes(app: App, deps: AppDeps): Promise<void> {
  closurePages(app, deps);
  closuresApi(app, deps);
}

/**
 * Reads what the calendar page shows (closures, holidays of this year and the next), then draws it
 * with the form given: the form's route reads before it runs, so a refusal draws without reading again.
 */
async function pageBuilder(deps: AppDeps, request: FastifyRequest, orgId: string) {
  const { db } = deps;
  const org = await getOrganisation(db, orgId);
  const closures = await closuresOf(db, org.path);
  const year = new Date().getUTCFullYear();
  const holidays = [year, year + 1].flatMap((y) => createCalendar({ zone: org.holidayZone, count: "ouvres" }).holidays(y));
  const canEdit = request.actor !== undefined && can(request.actor, "org.update", org.path);
  return (form: FormState): PageOptions => ({
    title: `Calendrier — ${org.name}`,
    breadcrumbs: [{ label: org.name, href: `/organisations/${orgId}` }, { label: "Calendrier" }],
    children: (
      <div class="fr-col-12 fr-col-md-10">
        <h1>{`Calendrier — ${org.name}`}</h1>
        <p>
          {`Les délais se comptent en jours ouvrés (du lundi au vendredi), hors jours fériés (${HOLIDAY_ZONE_LABELS[org.holidayZone]}) et hors jours de fermeture ci-dessous.`}
        </p>
        <h2>Jours de fermeture</h2>
        {closures.length === 0 ? <p>Aucun.</p> : null}
        <ul>
          {closures.map((c) => (
            <li>
              {`${frenchDay(c.day)} — ${c.label}`}
              {c.orgId !== orgId ? " (fermeture d'une organisation parente)" : null}
              {canEdit && c.orgId === orgId ? (
                <form method="post" action={`/organisations/${orgId}/closures/${c.day}/delete`} class="vigie-inline-form">
                  <CsrfField token={request.csrfToken} />
                  <button class="fr-btn fr-btn--sm fr-btn--tertiary fr-ml-1w" type="submit" title={`Retirer la fermeture du ${c.day}`}>
                    Retirer
                  </button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
        {canEdit ? (
          <form method="post" action={`/organisations/${orgId}/closures`} novalidate>
            <CsrfField token={request.csrfToken} />
            <ErrorSummary form={form} />
            <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
              <div class="fr-col-12 fr-col-md-4">
                <TextField name="day" label="Date" type="date" required form={form} />
              </div>
              <div class="fr-col-12 fr-col-md-5">
                <TextField name="label" label="Motif" required form={form} hint="Par exemple : pont de l'Ascension" />
              </div>
              <div class="fr-col-12 fr-col-md-3">
                <button class="fr-btn" type="submit">
                  Ajouter la fermeture
                </button>
              </div>
            </div>
          </form>
        ) : null}
        <h2 class="fr-mt-4w">Jours fériés</h2>
        <ul>
          {holidays.map((h) => (
            <li>{`${frenchDay(h.date)} — ${h.name}`}</li>
          ))}
        </ul>
      </div>
    ),
  });
}

/** The calendar page of an organisation: its closures (added, removed) and the holidays. */
function closurePages(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get("/organisations/:orgId/closures", { config: { access: onOrg("org.read") }, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, (await pageBuilder(deps, request, orgId))(emptyForm()));
  });

  app.post(
    "/organisations/:orgId/closures",
    { config: { access: onOrg("org.update") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      const build = await pageBuilder(deps, request, orgId);
      return handleForm(
        request,
        reply,
        async () => {
          const input = parseInput(closureSchema, request.body);
          await addClosure(db, actorOf(request), orgId, input.day, input.label);
          return `/organisations/${orgId}/closures?ok=closure.added`;
        },
        build,
      );
    },
  );

  app.post(
    "/organisations/:orgId/closures/:day/delete",
    { config: { access: onOrg("org.update") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, day: closed } = parseInput(orgParams.extend({ day }), request.params);
      await removeClosure(db, actorOf(request), orgId, closed);
      return reply.redirect(`/organisations/${orgId}/closures?ok=closure.removed`, 303);
    },
  );
}

/** The JSON resource of an organisation's closures: those that apply (its own and its parents'), added, removed. */
function closuresApi(app: App, deps: AppDeps): void {
  const { db } = deps;
  const closureOut = z.object({ day: z.string(), label: z.string(), orgId: z.string() });
  app.get(
    "/api/v1/organisations/:orgId/closures",
    {
      config: { access: onOrg("org.read") },
      schema: {
        tags: ["calendrier"],
        summary: "Les jours de fermeture qui valent pour l'organisation (les siens et ceux de ses parents)",
        params: orgParams,
        response: { 200: z.array(closureOut) },
      },
    },
    async (request) => closuresOf(db, (await getOrganisation(db, request.params.orgId)).path),
  );
  app.post(
    "/api/v1/organisations/:orgId/closures",
    {
      config: { access: onOrg("org.update") },
      schema: { tags: ["calendrier"], summary: "Ajouter un jour de fermeture", params: orgParams, body: closureSchema },
    },
    async (request, reply) => {
      await addClosure(db, actorOf(request), request.params.orgId, request.body.day, request.body.label);
      return reply.status(204).send();
    },
  );
  app.delete(
    "/api/v1/organisations/:orgId/closures/:day",
    {
      config: { access: onOrg("org.update") },
      schema: { tags: ["calendrier"], summary: "Retirer un jour de fermeture", params: orgParams.extend({ day }) },
    },
    async (request, reply) => {
      await removeClosure(db, actorOf(request), request.params.orgId, request.params.day);
      return reply.status(204).send();
    },
  );
}
