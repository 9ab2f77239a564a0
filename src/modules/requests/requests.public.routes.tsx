import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { publicSource } from "../../kernel/cookies.ts";
import { AppError, isAppError } from "../../kernel/errors.ts";
import { handleForm } from "../../kernel/forms.ts";
import { takePublicHit } from "../../kernel/rate-limit.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { announcedDelays } from "../announced-delays/announced-delays.service.ts";
import { mailStatesForRequest } from "../mail/mail.service.ts";
import { getOrganisation, organisationHasLogo } from "../organisations/organisations.service.ts";
import { orgParams, PUBLIC_RATE, TRACK_RATE } from "./requests.http.ts";
import { PublicReceipt, PublicRequestForm, TrackingForm, TrackingView } from "./requests.public.views.tsx";
import { publicRequestSchema } from "./requests.schema.ts";
import { filePublicRequest, type TrackedRequest, trackByCode, trackRequest } from "./requests.service.ts";
import { formatTrackingCode, normaliseTrackingCode } from "./tracking-code.ts";

/** The public side of requests: the complaint form, its receipt, the tracking page. No account. */
export async function requestsPublicRoutes(app: App, deps: AppDeps): Promise<void> {
  await publicRequestForm(app, deps);
  await publicTracking(app, deps);
}

/** What the form says about its organisation: name, logo, and the delays announced on the web. */
async function formFacts(deps: AppDeps, orgId: string) {
  const { db } = deps;
  const org = await getOrganisation(db, orgId);
  const [delays, hasLogo] = await Promise.all([announcedDelays(db, orgId), organisationHasLogo(db, orgId)]);
  return {
    orgId,
    orgName: org.name,
    logo: hasLogo && deps.config.theme === "neutre",
    delays: delays.filter((d) => d.channel === "web"),
  };
}

/** The page of the public form, with the state given. */
function formPage(request: FastifyRequest, facts: Awaited<ReturnType<typeof formFacts>>, form: FormState): PageOptions {
  return {
    light: true,
    title: `Écrire au service — ${facts.orgName}`,
    children: (
      <PublicRequestForm {...facts} action={`/public/organisations/${facts.orgId}/complaint`} form={form} csrf={request.csrfToken} />
    ),
  };
}

/** An organisation id from the path of a public page: anything else is a page not found, never a 400. */
function publicOrg(request: FastifyRequest): string {
  const parsed = orgParams.safeParse(request.params);
  if (!parsed.success) throw new AppError("organisation.not_found");
  return parsed.data.orgId;
}

/** The public form to file a complaint or a suggestion, and (below) its receipt. */
async function publicRequestForm(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const publicForm = async (request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> =>
    formPage(request, await formFacts(deps, orgId), form);

  app.get("/public/organisations/:orgId/complaint", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, request, await publicForm(request, publicOrg(request), emptyForm())),
  );

  app.post("/public/organisations/:orgId/complaint", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const orgId = publicOrg(request);
    const facts = await formFacts(deps, orgId);
    const body = (request.body ?? {}) as Record<string, unknown>;
    return handleForm(
      request,
      reply,
      async () => {
        const input = parseInput(publicRequestSchema, body);
        await takePublicHit(db, "public-request", publicSource(request), PUBLIC_RATE);
        // A robot filled the hidden field: thank it as if stored, store nothing.
        if (typeof body.website === "string" && body.website !== "") return `/public/organisations/${orgId}/complaint/received?number=0`;
        const { request: created, trackingToken, trackingCode } = await filePublicRequest(db, orgId, input, deps.config.baseUrl);
        const params = new URLSearchParams({
          number: created.number,
          code: formatTrackingCode(trackingCode),
          token: trackingToken,
          kind: created.kind,
        });
        return `/public/organisations/${orgId}/complaint/received?${params}`;
      },
      (form) => formPage(request, facts, form),
    );
  });

  publicRequestReceipt(app, deps);
}

/** The receipt shown once a message is filed: its number, its tracking code, where its acknowledgement stands. */
function publicRequestReceipt(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get(
    "/public/organisations/:orgId/complaint/received",
    { config: { access: PUBLIC }, schema: { hide: true } },
    async (request, reply) => {
      publicOrg(request);
      const q = parseInput(
        z.object({
          number: z.string().max(20),
          code: z.string().max(12).optional(),
          token: z.string().max(60).optional(),
          kind: z.string().max(20).optional(),
        }),
        request.query,
      );
      const trackUrl = q.token ? `/track?${new URLSearchParams({ number: q.number, token: q.token })}` : null;
      // What the receipt says of the acknowledgement is what its outbox row says: « vous sera envoyé » while queued.
      const tracked = q.token ? await trackRequest(db, q.number, q.token).catch(() => null) : null;
      const mails = tracked ? await mailStatesForRequest(db, tracked.orgId, tracked.id) : [];
      const acknowledgement = mails.find((m) => m.kind === "acknowledgement") ?? null;
      const code = q.code ? normaliseTrackingCode(q.code) : undefined;
      return sendPage(reply, request, {
        light: true,
        title: "Message enregistré",
        children: (
          <PublicReceipt
            number={q.number}
            code={code ? formatTrackingCode(code) : null}
            trackUrl={trackUrl}
            kind={q.kind ?? "complaint"}
            acknowledgement={acknowledgement}
          />
        ),
      });
    },
  );
}

async function publicTracking(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  // ---- Public: follow a request with its number and short code ----
  const trackingForm = (request: FastifyRequest, form: FormState, status = 200) => ({
    page: { light: true, title: "Suivre une demande", children: <TrackingForm form={form} csrf={request.csrfToken} /> },
    status,
  });
  const trackedPage = async (t: TrackedRequest): Promise<PageOptions> => {
    // ---- mail states (module mail): one query, shown by MailStatusBadge in TrackingView ----
    const mails = await mailStatesForRequest(db, t.orgId, t.id);
    return { light: true, title: `Suivi du dossier ${t.number}`, children: <TrackingView t={t} mails={mails} /> };
  };
  const text = (v: unknown, max: number) => (typeof v === "string" && v.length <= max ? v : "");

  // A GET shows the form (the QR code of a printed letter fills in the number). The personal link of
  // earlier acknowledgements (number + long token) still opens the request directly.
  app.get("/track", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const number = text(query.number, 20);
    const token = text(query.token, 60);
    if (number && token) {
      try {
        return sendPage(reply, request, await trackedPage(await trackRequest(db, number, token)));
      } catch (error) {
        if (!isAppError(error) || error.code !== "track.mismatch") throw error;
        const shown = trackingForm(request, { values: { number }, errors: { _: error.message } }, error.status);
        return sendPage(reply, request, shown.page, shown.status);
      }
    }
    return sendPage(reply, request, trackingForm(request, { values: { number }, errors: {} }).page);
  });

  app.post("/track", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const number = text(body.number, 40).trim();
    const code = text(body.code, 40).trim();
    const values = { number, code };
    const errors: Record<string, string> = {};
    if (!number) errors.number = "Saisissez le numéro de dossier.";
    if (!code) errors.code = "Saisissez le code de suivi.";
    if (Object.keys(errors).length) {
      const shown = trackingForm(request, { values, errors }, 400);
      return sendPage(reply, request, shown.page, shown.status);
    }
    try {
      // Every attempt counts, found or not: a brake on guessing codes (about 40 bits each). Per browser
      // for typos, per address for a robot that drops its cookies (a town hall's Wi-Fi shares one).
      await takePublicHit(db, "track", publicSource(request), TRACK_RATE).catch((error: unknown) => {
        throw isAppError(error) && error.code === "rate.limited" ? new AppError("track.rate_limited") : error;
      });
      return sendPage(reply, request, await trackedPage(await trackByCode(db, number, code)));
    } catch (error) {
      // Not refusedForm: a wrong number or code is a 404 (track.mismatch) shown on this form, by design.
      if (!isAppError(error) || error.status >= 500) throw error;
      // Which of the two is wrong is not said: that would help guessing.
      const shown = trackingForm(request, { values, errors: { _: error.message } }, error.status);
      return sendPage(reply, request, shown.page, shown.status);
    }
  });
}
