import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { constants } from "node:zlib";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf, onOrg, PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { contributionPoint } from "../../kernel/contributions.ts";
import { AppError } from "../../kernel/errors.ts";
import { can } from "../../kernel/roles.ts";
import { CONTENT_SECURITY_POLICY } from "../../kernel/security-headers.ts";
import { formatNumber, NBSP } from "../../ui/format.ts";
import { escapeHtml, type SafeHtml } from "../../ui/jsx/jsx-runtime.ts";
import { sendPage } from "../../ui/page.tsx";
import { formatValue } from "../indicators/traffic-light.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { badgeSvg } from "./badge.ts";
import { CSV_COLUMNS, csvHeader, csvLines, openDataRow } from "./open-data.ts";
import { posterPdf } from "./poster-pdf.ts";
import { publicInfoJson } from "./public-info.ts";
import { openDataFigures, publicationStatus, publishedResults, publishNow } from "./publication.service.ts";
import { PublicationStatusView } from "./publication.staff.tsx";
import { PublicResultsView } from "./publication.views.tsx";

const orgParams = z.object({ orgId: z.string().uuid() });
const TAG = ["résultats publiés"];
/** Published figures change once a day: a short shared cache spares the server a crowd reading the same page. */
const PUBLIC_CACHE = "public, max-age=300";
/**
 * A network's open data runs to tens of megabytes: brotli at its default quality (11) would spend tens of
 * seconds on it, quality 4 a fraction of a second for a file about as small as gzip's.
 */
const BULK_COMPRESSION = { brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }, zlibOptions: { level: 6 } };

/** An organisation id from the path of a public page: anything else is a page not found, never a 400. */
function publicOrg(request: FastifyRequest): string {
  const parsed = orgParams.safeParse(request.params);
  if (!parsed.success) throw new AppError("organisation.not_found");
  return parsed.data.orgId;
}

const openDataOut = z.object(Object.fromEntries(CSV_COLUMNS.map((c) => [c, z.union([z.string(), z.number(), z.null()])])));

const WIDGET_STYLE =
  "body{font-family:system-ui,Arial,sans-serif;margin:.75rem;color:#161616;font-size:.95rem}h1{font-size:1.05rem;color:#000091;margin:0 0 .5rem}ul{padding-left:1.1rem;margin:.25rem 0}li{margin:.3rem 0}a{color:#000091}small{color:#3a3a3a}";
/**
 * The widget's own policy: the strict one, its single style block allowed by hash, and any site may frame it
 * (that is what it is for).
 */
const WIDGET_CSP = CONTENT_SECURITY_POLICY.replace(
  "style-src 'self'",
  `style-src 'sha256-${createHash("sha256").update(WIDGET_STYLE).digest("base64")}'`,
).replace("frame-ancestors 'none'", "frame-ancestors *");

/** The widget: a page of its own, a few hundred bytes of style, meant for an iframe on another site. */
function widgetHtml(results: Awaited<ReturnType<typeof publishedResults>>, pageUrl: string): string {
  const items = results.headline
    .map((h) => {
      const v = h.figure && h.figure.value !== null ? formatValue(h.figure.value, h.unit) : "Pas encore de donnée";
      const s = h.figure && h.figure.value !== null ? ` <small>(${formatNumber(h.figure.sample)}${NBSP}${h.sampleLabel})</small>` : "";
      return `<li>${escapeHtml(h.label)} : <strong>${escapeHtml(v)}</strong>${s}</li>`;
    })
    .join("");
  const period = results.period ? ` — ${results.period.from.slice(0, 4)}` : "";
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(`Résultats — ${results.org.name}`)}</title><style>${WIDGET_STYLE}</style></head><body><main><h1>${escapeHtml(`${results.org.name}${period}`)}</h1><ul>${items}</ul><p><a href="${escapeHtml(pageUrl)}" target="_top">Tous nos résultats</a></p></main></body></html>`;
}

/**
 * A part of the public results page under the figures, from another module (obligations: the replies
 * to user feedback), handed in through its module description: this module does not import them.
 * Reads what is public only; `db` is the read database (the replica when there is one).
 */
export type PublicResultsSection = (db: AppDeps["readDb"], orgId: string) => Promise<SafeHtml | null>;
export const publicResultsSectionPoint = contributionPoint<PublicResultsSection>("publication.publicResultsSections");

/** The published results: the public pages, the open data, and the staff's publication page. */
export async function publicationRoutes(app: App, deps: AppDeps): Promise<void> {
  publicResultsPages(app, deps);
  openDataRoutes(app, deps);
  publicationStaffRoutes(app, deps);
}

/** The public results of an organisation: its page, the poster, the badge and the widget for other sites. */
function publicResultsPages(app: App, deps: AppDeps): void {
  // The public pages and open data only read published figures: the replica when there is one (docs/architecture.md).
  const { readDb, config } = deps;
  const pageUrl = (orgId: string) => `${config.baseUrl}/public/organisations/${orgId}/results`;

  app.get("/public/organisations/:orgId/results", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const results = await publishedResults(readDb, publicOrg(request));
    // What other modules show under the figures (the public replies to user feedback, issue #14).
    const sections = await Promise.all(publicResultsSectionPoint.items().map((section) => section(readDb, results.org.id)));
    return sendPage(reply, request, {
      light: true,
      title: `Nos résultats — ${results.org.name}`,
      children: (
        <>
          <PublicResultsView results={results} baseUrl={config.baseUrl} />
          {sections}
        </>
      ),
    });
  });

  app.get("/public/organisations/:orgId/poster.pdf", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const orgId = publicOrg(request);
    const pdf = await posterPdf(await publishedResults(readDb, orgId), pageUrl(orgId));
    return reply
      .header("content-type", "application/pdf")
      .header("content-disposition", 'inline; filename="affiche-resultats.pdf"')
      .header("cache-control", PUBLIC_CACHE)
      .send(pdf);
  });

  app.get("/public/organisations/:orgId/badge.svg", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const results = await publishedResults(readDb, publicOrg(request));
    return reply.header("content-type", "image/svg+xml; charset=utf-8").header("cache-control", PUBLIC_CACHE).send(badgeSvg(results));
  });

  app.get(
    "/public/organisations/:orgId/widget",
    { config: { access: PUBLIC, embeddable: true }, schema: { hide: true } },
    async (request, reply) => {
      const orgId = publicOrg(request);
      const html = widgetHtml(await publishedResults(readDb, orgId), pageUrl(orgId));
      return reply
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", PUBLIC_CACHE)
        .header("content-security-policy", WIDGET_CSP)
        .send(html);
    },
  );
}

/** The open data: the published figures as CSV and JSON, and the public information as JSON. */
function openDataRoutes(app: App, deps: AppDeps): void {
  // Published figures only, like the public pages: the replica when there is one.
  const { readDb, config } = deps;
  app.get(
    "/public/organisations/:orgId/results.csv",
    { config: { access: PUBLIC }, schema: { hide: true }, compress: BULK_COMPRESSION },
    async (request, reply) => {
      const orgId = publicOrg(request);
      // Checks the organisation exists before the first byte: a stream cannot turn into a 404 later.
      await getOrganisation(readDb, orgId);
      async function* lines() {
        yield csvHeader();
        for await (const batch of openDataFigures(readDb, orgId)) yield csvLines(batch.map(openDataRow));
      }
      return reply
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", 'attachment; filename="resultats-publies.csv"')
        .header("cache-control", PUBLIC_CACHE)
        .send(Readable.from(lines()));
    },
  );

  app.get(
    "/api/v1/public/organisations/:orgId/published-figures",
    {
      config: { access: PUBLIC },
      compress: BULK_COMPRESSION,
      schema: {
        tags: TAG,
        summary: "Les résultats publiés d'une organisation et de tout ce qui lui est rattaché (données ouvertes, voir docs/open-data.md)",
        params: orgParams,
        response: {
          200: z.object({
            schema: z.literal("https://vigie.beta.gouv.fr/schemas/published-figures/1"),
            organisationId: z.string(),
            generatedAt: z.string(),
            figures: z.array(openDataOut),
          }),
        },
      },
    },
    async (request, reply) => {
      await getOrganisation(readDb, request.params.orgId);
      const figures: Array<z.infer<typeof openDataOut>> = [];
      for await (const batch of openDataFigures(readDb, request.params.orgId)) figures.push(...batch.map(openDataRow));
      reply.header("cache-control", PUBLIC_CACHE);
      return {
        schema: "https://vigie.beta.gouv.fr/schemas/published-figures/1" as const,
        organisationId: request.params.orgId,
        generatedAt: new Date().toISOString(),
        figures,
      };
    },
  );

  app.get(
    "/api/v1/public/organisations/:orgId/public-info",
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAG,
        summary: "Horaires (syntaxe OpenStreetMap et schema.org), fermetures, accessibilité et contacts d'une organisation",
        params: orgParams,
      },
    },
    async (request, reply) => {
      const results = await publishedResults(readDb, request.params.orgId);
      reply.header("cache-control", PUBLIC_CACHE);
      return publicInfoJson(results, config.baseUrl);
    },
  );
}

/** The staff's side: where publication stands, and publishing now (page and API). */
function publicationStaffRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get(
    "/organisations/:orgId/publication",
    { config: { access: onOrg("org.read") }, schema: { hide: true } },
    async (request, reply) => {
      const org = await getOrganisation(db, publicOrg(request));
      const status = await publicationStatus(db, org);
      return sendPage(reply, request, {
        title: `Publication des résultats — ${org.name}`,
        breadcrumbs: [{ label: org.name, href: `/organisations/${org.id}` }, { label: "Publication des résultats" }],
        children: (
          <PublicationStatusView
            org={org}
            status={status}
            csrf={request.csrfToken}
            canPublish={can(actorOf(request), "commitment.manage", org.path)}
          />
        ),
      });
    },
  );

  app.post(
    "/organisations/:orgId/publication",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const orgId = publicOrg(request);
      const result = await publishNow(db, actorOf(request), orgId);
      return reply.redirect(
        `/organisations/${orgId}/publication?ok=${result.queued ? "publication.queued" : "publication.refreshed"}`,
        303,
      );
    },
  );

  app.post(
    "/api/v1/organisations/:orgId/publication",
    {
      config: { access: onOrg("commitment.manage") },
      schema: {
        tags: TAG,
        summary:
          "Recalculer les résultats publiés de l'organisation et de ce qui lui est rattaché : tout de suite, ou par lots en arrière-plan au-delà de 200 organisations (queued)",
        params: orgParams,
        response: { 200: z.object({ organisations: z.number(), queued: z.boolean() }) },
      },
    },
    async (request) => publishNow(db, actorOf(request), request.params.orgId),
  );
}
