import type { FastifyRequest } from "fastify";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { handleForm } from "../../kernel/forms.ts";
import { parseInput } from "../../kernel/validation.ts";
import type { FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { escalationSettings, saveEscalationSettings } from "./escalation.service.ts";
import { EscalationPage } from "./escalation.views.tsx";
import { orgParams } from "./requests.http.ts";

const DAYS_MESSAGE = "Indiquez un nombre entier de jours ouvrés, de 1 à 60.";

/** « 3 », blank (inherit: null) or anything else (refused in French). */
function parseWorkingDays(raw: unknown): number | null {
  const text = typeof raw === "string" ? raw.trim() : raw === undefined ? "" : null;
  if (text === "") return null;
  const n = text !== null && /^\d{1,2}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= 60)) throw new AppError("validation", { fields: { workingDays: DAYS_MESSAGE } });
  return n;
}

/** The escalation rules of an organisation (issue #15, point 4), under org.update like its mailboxes. */
export async function escalationRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const access = { access: onOrg("org.update") };

  const page = async (request: FastifyRequest, orgId: string, form?: FormState): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    const settings = await escalationSettings(db, orgId);
    const values: Record<string, string> = { workingDays: settings.own === null ? "" : String(settings.own) };
    for (const u of settings.units) values[`referent_${u.id}`] = u.referentId ?? "";
    return {
      title: `Demandes en retard — ${org.name}`,
      breadcrumbs: [
        { label: "Organisations", href: "/organisations" },
        { label: org.name, href: `/organisations/${org.id}` },
        { label: "Demandes en retard" },
      ],
      children: <EscalationPage org={org} settings={settings} form={form ?? { values, errors: {} }} csrf={request.csrfToken} />,
    };
  };

  app.get("/organisations/:orgId/escalation", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await page(request, orgId));
  });

  app.post("/organisations/:orgId/escalation", { config: access, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return handleForm(
      request,
      reply,
      async () => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const workingDays = parseWorkingDays(body.workingDays);
        const referents: Record<string, string | null> = {};
        for (const [key, value] of Object.entries(body)) {
          if (!key.startsWith("referent_")) continue;
          if (typeof value !== "string") throw new AppError("validation", { fields: { [key]: "Choisissez une personne dans la liste." } });
          referents[key.slice("referent_".length)] = value === "" ? null : value;
        }
        await saveEscalationSettings(db, actorOf(request), orgId, { workingDays, referents });
        return `/organisations/${orgId}/escalation?ok=escalation.saved`;
      },
      (form) => page(request, orgId, form),
    );
  });
}
