import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf, onOrg } from "../../app/access.ts";
import type { App, AppDeps } from "../../app/context.ts";
import { AppError } from "../../app/errors.ts";
import { handleForm } from "../../app/forms.ts";
import { parseInput } from "../../app/validation.ts";
import type { FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { escalationSettings, saveEscalationSettings } from "./escalation.service.ts";
import { EscalationPage } from "./escalation.views.tsx";
import { orgParams } from "./requests.http.ts";

/** « 3 », blank (inherit) or anything else (refused in French). */
const workingDaysField = z.preprocess(
  (v) => (typeof v === "string" ? v.trim() : v),
  z.union([
    z.literal("").transform(() => null),
    z
      .string()
      .regex(/^\d{1,2}$/, "Indiquez un nombre entier de jours ouvrés, de 1 à 60.")
      .transform(Number)
      .refine((n) => n >= 1 && n <= 60, "Indiquez un nombre entier de jours ouvrés, de 1 à 60."),
  ]),
);

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
        const days = workingDaysField.safeParse(body.workingDays ?? "");
        if (!days.success) {
          throw new AppError("validation", { fields: { workingDays: days.error.issues[0]?.message ?? "Valeur invalide." } });
        }
        const referents: Record<string, string | null> = {};
        for (const [key, value] of Object.entries(body)) {
          if (!key.startsWith("referent_")) continue;
          if (typeof value !== "string") throw new AppError("validation", { fields: { [key]: "Choisissez une personne dans la liste." } });
          referents[key.slice("referent_".length)] = value === "" ? null : value;
        }
        await saveEscalationSettings(db, actorOf(request), orgId, { workingDays: days.data, referents });
        return `/organisations/${orgId}/escalation?ok=escalation.saved`;
      },
      (form) => page(request, orgId, form),
    );
  });
}
