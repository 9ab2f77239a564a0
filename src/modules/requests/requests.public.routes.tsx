import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { PUBLIC } from "../../app/access.ts";
import type { App, AppDeps } from "../../app/context.ts";
import { AppError } from "../../app/errors.ts";
import { handleForm } from "../../app/forms.ts";
import { publicSource } from "../../app/plugins/session.ts";
import { takePublicHit } from "../../app/rate-limit.ts";
import { parseInput } from "../../app/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { announcedDelays } from "../announced-delays/announced-delays.service.ts";
import { mailStatesForRequest } from "../mail/mail.service.ts";
import { getOrganisation, organisationHasLogo } from "../organisations/organisations.service.ts";
import { orgParams, PUBLIC_RATE } from "./requests.http.ts";
import { PublicReceipt, PublicRequestForm, TrackingView } from "./requests.public.views.tsx";
import { publicRequestSchema } from "./requests.schema.ts";
import { filePublicRequest, trackRequest } from "./requests.service.ts";

/** The public side of requests: the complaint form, its receipt, the tracking page. No account. */
export async function requestsPublicRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  // ---- Public: file a complaint or suggestion, follow it ----
  /** What the form says about its organisation: name, logo, and the delays announced on the web. */
  const formFacts = async (orgId: string) => {
    const org = await getOrganisation(db, orgId);
    const [delays, hasLogo] = await Promise.all([announcedDelays(db, orgId), organisationHasLogo(db, orgId)]);
    return {
      orgId,
      orgName: org.name,
      logo: hasLogo && deps.config.theme === "neutre",
      delays: delays.filter((d) => d.channel === "web"),
    };
  };
  const formPage = (request: FastifyRequest, facts: Awaited<ReturnType<typeof formFacts>>, form: FormState): PageOptions => ({
    light: true,
    title: `Écrire au service — ${facts.orgName}`,
    children: (
      <PublicRequestForm {...facts} action={`/public/organisations/${facts.orgId}/complaint`} form={form} csrf={request.csrfToken} />
    ),
  });
  const publicForm = async (request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> =>
    formPage(request, await formFacts(orgId), form);
  const publicOrg = (request: FastifyRequest) => {
    const parsed = orgParams.safeParse(request.params);
    if (!parsed.success) throw new AppError("organisation.not_found");
    return parsed.data.orgId;
  };

  app.get("/public/organisations/:orgId/complaint", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, request, await publicForm(request, publicOrg(request), emptyForm())),
  );

  app.post("/public/organisations/:orgId/complaint", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const orgId = publicOrg(request);
    const facts = await formFacts(orgId);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return handleForm(
      request,
      reply,
      async () => {
        const input = parseInput(publicRequestSchema, body);
        await takePublicHit(db, "public-request", publicSource(request), PUBLIC_RATE);
        // A robot filled the hidden field: thank it as if stored, store nothing.
        if (typeof body.website === "string" && body.website !== "") return `/public/organisations/${orgId}/complaint/received?number=0`;
        const { request: created, trackingToken } = await filePublicRequest(db, orgId, input, deps.config.baseUrl);
        const params = new URLSearchParams({ number: created.number, token: trackingToken, kind: created.kind });
        return `/public/organisations/${orgId}/complaint/received?${params}`;
      },
      (form) => formPage(request, facts, form),
    );
  });

  app.get(
    "/public/organisations/:orgId/complaint/received",
    { config: { access: PUBLIC }, schema: { hide: true } },
    async (request, reply) => {
      publicOrg(request);
      const q = parseInput(
        z.object({ number: z.string().max(20), token: z.string().max(60).optional(), kind: z.string().max(20).optional() }),
        request.query,
      );
      const trackUrl = q.token ? `/track?${new URLSearchParams({ number: q.number, token: q.token })}` : null;
      // What the receipt says of the acknowledgement is what its outbox row says: « vous sera envoyé » while queued.
      const tracked = q.token ? await trackRequest(db, q.number, q.token).catch(() => null) : null;
      const mails = tracked ? await mailStatesForRequest(db, tracked.orgId, tracked.id) : [];
      const acknowledgement = mails.find((m) => m.kind === "acknowledgement") ?? null;
      return sendPage(reply, request, {
        light: true,
        title: "Message enregistré",
        children: <PublicReceipt number={q.number} trackUrl={trackUrl} kind={q.kind ?? "complaint"} acknowledgement={acknowledgement} />,
      });
    },
  );

  app.get("/track", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const q = parseInput(
      z.object({
        number: z.string({ error: "Numéro de dossier manquant." }).max(20),
        token: z.string({ error: "Code de suivi manquant." }).max(60),
      }),
      request.query,
    );
    const tracked = await trackRequest(db, q.number, q.token);
    const org = await getOrganisation(db, tracked.orgId);
    // ---- mail states (module mail): one query, shown by MailStatusBadge in TrackingView ----
    const mails = await mailStatesForRequest(db, tracked.orgId, tracked.id);
    // ---- end of mail states ----
    return sendPage(reply, request, {
      light: true,
      title: `Suivi du dossier ${tracked.number}`,
      children: <TrackingView t={tracked} mails={mails} timeZone={org.timeZone} />,
    });
  });
}
