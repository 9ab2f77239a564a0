import type { FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf, onOrg, PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { refusedForm } from "../../kernel/forms.ts";
import { can } from "../../kernel/roles.ts";
import { parseInput } from "../../kernel/validation.ts";
import { formatDelay } from "../../ui/format.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { CHANNELS, REQUEST_KINDS } from "../frameworks/channels.ts";
import { organisationCommitments } from "../frameworks/frameworks.service.ts";
import { PublicCommitments } from "../frameworks/frameworks.views.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { type DelayCellInput, delaysPutSchema } from "./announced-delays.schema.ts";
import { announcedDelays, inheritedDelays, setAnnouncedDelays } from "./announced-delays.service.ts";
import { isDelayUnit } from "./announced-delays.ts";
import { AnnouncedDelaysPage } from "./announced-delays.views.tsx";

const orgParams = z.object({ orgId: z.uuid({ error: "Organisation introuvable." }) });

const delayOut = z.object({
  channel: z.string(),
  kind: z.string(),
  value: z.number().nullable(),
  unit: z.string().nullable(),
  source: z.object({ kind: z.string(), orgId: z.string().optional(), orgName: z.string().optional(), commitmentId: z.string().optional() }),
});

/** The form's 15 cells: « value-letter-request » and « unit-letter-request »; an empty value inherits. */
function cellsFromForm(body: unknown): DelayCellInput[] {
  const f = (body ?? {}) as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const cells: DelayCellInput[] = [];
  for (const channel of CHANNELS) {
    for (const kind of REQUEST_KINDS) {
      const key = `${channel}-${kind}`;
      const raw = typeof f[`value-${key}`] === "string" ? (f[`value-${key}`] as string).trim() : "";
      const unit = typeof f[`unit-${key}`] === "string" ? (f[`unit-${key}`] as string) : "";
      if (raw === "") continue;
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || value < 1 || value > 365) {
        errors[`value-${key}`] = "Indiquez un nombre entier de jours, de 1 à 365, ou laissez vide pour hériter.";
        continue;
      }
      if (!isDelayUnit(unit)) {
        errors[`value-${key}`] = "Choisissez l'unité du délai.";
        continue;
      }
      cells.push({ channel, kind, value, unit });
    }
  }
  if (Object.keys(errors).length) throw new AppError("validation", { fields: errors });
  return cells;
}

/** The announced delays of an organisation: a page that edits the whole table, and the JSON resource. */
export async function announcedDelaysRoutes(app: App, deps: AppDeps): Promise<void> {
  publicCommitmentsPage(app, deps);
  announcedDelaysPages(app, deps);
  announcedDelaysApi(app, deps);
}

/** The public « Nos engagements » page of an organisation. */
function publicCommitmentsPage(app: App, deps: AppDeps): void {
  const { db } = deps;
  // The public « Nos engagements » page lives here rather than in frameworks: it prints the commitments with the
  // delays this organisation announces, and announced delays already build on frameworks (never the reverse).
  app.get("/public/organisations/:orgId/commitments", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const org = await getOrganisation(db, orgId).catch(() => {
      throw new AppError("organisation.not_found");
    });
    const [data, delays] = await Promise.all([organisationCommitments(db, orgId), announcedDelays(db, orgId)]);
    const shown = delays.flatMap((d) =>
      d.delay ? [{ channel: d.channel, kind: d.kind, text: formatDelay(d.delay.value, d.delay.unit) }] : [],
    );
    return sendPage(reply, request, {
      title: `Nos engagements — ${org.name}`,
      children: <PublicCommitments orgName={org.name} data={data} delays={shown} />,
    });
  });
}

/** The page that edits the whole table of an organisation's delays. */
function announcedDelaysPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  const page = async (request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    const [delays, inherited] = await Promise.all([announcedDelays(db, orgId), inheritedDelays(db, orgId)]);
    return {
      title: `Délais annoncés — ${org.name}`,
      breadcrumbs: [
        { label: "Organisations", href: "/organisations" },
        { label: org.name, href: `/organisations/${org.id}` },
        { label: "Délais annoncés" },
      ],
      children: (
        <AnnouncedDelaysPage
          org={org}
          delays={delays}
          inherited={inherited}
          canEdit={can(actorOf(request), "commitment.manage", org.path)}
          form={form}
          csrf={request.csrfToken}
        />
      ),
    };
  };

  app.get("/organisations/:orgId/delays", { config: { access: onOrg("org.read") }, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await page(request, orgId, emptyForm()));
  });

  app.post(
    "/organisations/:orgId/delays",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      try {
        await setAnnouncedDelays(db, actorOf(request), orgId, cellsFromForm(request.body));
      } catch (error) {
        const values = Object.fromEntries(
          Object.entries((request.body ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"),
        );
        const { form, status } = refusedForm(error, values);
        return sendPage(reply, request, await page(request, orgId, form), status);
      }
      return reply.redirect(`/organisations/${orgId}/delays?ok=delays.saved`, 303);
    },
  );
}

/** The JSON resource of an organisation's announced delays: read, and replace its own. */
function announcedDelaysApi(app: App, deps: AppDeps): void {
  const { db } = deps;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const toJson = (delays: Awaited<ReturnType<typeof announcedDelays>>) => ({
    delays: delays.map((d) => ({
      channel: d.channel,
      kind: d.kind,
      value: d.delay?.value ?? null,
      unit: d.delay?.unit ?? null,
      source: d.source,
    })),
  });
  api.get(
    "/api/v1/organisations/:orgId/announced-delays",
    {
      config: { access: onOrg("org.read") },
      schema: {
        tags: ["délais annoncés"],
        summary: "Les délais de réponse annoncés : un par canal et type de demande, avec leur origine (own, parent, framework, none)",
        params: orgParams,
        response: { 200: z.object({ delays: z.array(delayOut) }) },
      },
    },
    async (request) => toJson(await announcedDelays(db, request.params.orgId)),
  );
  api.put(
    "/api/v1/organisations/:orgId/announced-delays",
    {
      config: { access: onOrg("commitment.manage") },
      schema: {
        tags: ["délais annoncés"],
        summary:
          "Remplace les délais propres de l'organisation : chaque case donnée avec une valeur est fixée ici, toute autre reprend le délai hérité",
        params: orgParams,
        body: delaysPutSchema,
        response: { 200: z.object({ delays: z.array(delayOut) }) },
      },
    },
    async (request) => toJson(await setAnnouncedDelays(db, actorOf(request), request.params.orgId, request.body.delays)),
  );
}
