import fastifyCompress from "@fastify/compress";
import fastifyCookie from "@fastify/cookie";
import fastifyFormbody from "@fastify/formbody";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { App, AppDeps } from "../kernel/context.ts";
import { AppError } from "../kernel/errors.ts";
import { accountsRoutes } from "../modules/accounts/accounts.routes.tsx";
import { authRoutes } from "../modules/accounts/auth.routes.tsx";
import { myAccountRoutes } from "../modules/accounts/my-account.routes.tsx";
import { oidcRoutes } from "../modules/accounts/oidc.routes.tsx";
import { actionsRoutes } from "../modules/actions/actions.routes.tsx";
import { alertsRoutes } from "../modules/alerts/alerts.routes.tsx";
import { announcedDelaysRoutes } from "../modules/announced-delays/announced-delays.routes.tsx";
import { assessmentsRoutes } from "../modules/assessments/assessments.routes.tsx";
import { auditRoutes } from "../modules/audit/audit.routes.tsx";
import { calendarRoutes } from "../modules/calendar/calendar.routes.tsx";
import { callsApiRoutes } from "../modules/calls/calls.api.ts";
import { callsRoutes } from "../modules/calls/calls.routes.tsx";
import { dashboardsRoutes } from "../modules/dashboards/dashboards.routes.tsx";
import { frameworksRoutes } from "../modules/frameworks/frameworks.routes.tsx";
import { healthRoutes } from "../modules/health/health.routes.ts";
import { homeRoutes } from "../modules/home/home.routes.tsx";
import { serviceAccountsRoutes } from "../modules/integrations/service-accounts.routes.tsx";
import { tokensRoutes } from "../modules/integrations/tokens.routes.tsx";
import { webhooksRoutes } from "../modules/integrations/webhooks.routes.tsx";
import { labelRoutes } from "../modules/label/label.routes.tsx";
import { legalRoutes } from "../modules/legal/legal.routes.tsx";
import { leversRoutes } from "../modules/levers/levers.routes.tsx";
import { mailRoutes } from "../modules/mail/mail.routes.tsx";
import { mailboxesRoutes } from "../modules/mailboxes/mailboxes.routes.tsx";
import { mysteryApiRoutes } from "../modules/mystery/mystery.api.ts";
import { mysteryRoutes } from "../modules/mystery/mystery.routes.tsx";
import { obligationsRoutes } from "../modules/obligations/obligations.routes.tsx";
import { openingHoursRoutes } from "../modules/opening-hours/opening-hours.routes.tsx";
import { organisationLogoRoutes } from "../modules/organisations/logo.routes.tsx";
import { organisationsRoutes } from "../modules/organisations/organisations.routes.tsx";
import { privacyRoutes } from "../modules/privacy/privacy.routes.tsx";
import { publicationRoutes } from "../modules/publication/publication.routes.tsx";
import { escalationRoutes } from "../modules/requests/escalation.routes.tsx";
import { requestImportRoutes } from "../modules/requests/import/import.routes.tsx";
import { lettersRoutes } from "../modules/requests/letters.routes.tsx";
import { requestsApiRoutes } from "../modules/requests/requests.api.ts";
import { requestsPublicRoutes } from "../modules/requests/requests.public.routes.tsx";
import { requestsRoutes } from "../modules/requests/requests.routes.tsx";
import { reviewsRoutes } from "../modules/reviews/reviews.routes.tsx";
import { staffRoutes } from "../modules/staff/staff.routes.tsx";
import { surveysApiRoutes } from "../modules/surveys/surveys.api.ts";
import { surveysPublicRoutes } from "../modules/surveys/surveys.public.routes.tsx";
import { surveysRoutes } from "../modules/surveys/surveys.routes.tsx";
import { configurePages } from "../ui/page.tsx";
import { accessPlugin } from "./plugins/access.ts";
import { assetsPlugin } from "./plugins/assets.ts";
import { errorHandling, sendError } from "./plugins/errors.tsx";
import { applySecurityHeaders, securityHeadersPlugin } from "./plugins/security-headers.ts";
import { sessionPlugin } from "./plugins/session.ts";

/** `readDb` may be left out: the pages that could read a replica then read the primary. */
export async function buildServer(
  given: Omit<AppDeps, "readDb"> & { readDb?: AppDeps["readDb"] },
  options: { logger?: boolean } = {},
): Promise<App> {
  const deps: AppDeps = { ...given, readDb: given.readDb ?? given.db };
  const app = Fastify({
    logger: options.logger ? { level: deps.config.logLevel } : false,
    trustProxy: deps.config.trustProxy,
    bodyLimit: 1_048_576,
    routerOptions: { ignoreTrailingSlash: true },
    // A malformed address (`%E0%A4%A`) is refused before any hook: answer it like any other bad request.
    frameworkErrors: (_error, request, reply) => {
      applySecurityHeaders(request, reply, deps.config.baseUrl.startsWith("https:"));
      return sendError(request, reply, new AppError("http.bad_request"));
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Pages are compressed on the way out (a phone on a weak network downloads a fifth of the HTML);
  // the stylesheet is already compressed once at start-up and says so in its own headers.
  await app.register(fastifyCompress, { global: true, threshold: 1024, encodings: ["br", "gzip"] });
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody);
  errorHandling(app);
  // Before any route: every answer, static files and errors included, carries the security headers.
  await securityHeadersPlugin(app, deps);
  // Session first: the access check reads the actor it loads.
  await sessionPlugin(app, deps);
  await accessPlugin(app, deps);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "API Vigie",
        description:
          "Les opérations de Vigie en JSON. Authentification par la session (cookie) ou, pour un programme, par un jeton d'API (en-tête Authorization: Bearer vig_…, créé depuis « Mon compte › Jetons d'API ») ; les écritures n'acceptent que du JSON.",
        version: "1",
      },
      components: {
        securitySchemes: {
          jeton: {
            type: "http",
            scheme: "bearer",
            description:
              "Jeton d'API (vig_…) : les droits de la personne qui l'a créé, limités à sa portée (lecture, ou lecture et écriture) et à son organisation.",
          },
          session: { type: "apiKey", in: "cookie", name: "vigie_session" },
        },
      },
      security: [{ jeton: [] }, { session: [] }],
      servers: [{ url: deps.config.baseUrl }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs" });

  const stylesheet = await assetsPlugin(app, deps);
  configurePages(deps.config, stylesheet);

  app.decorateRequest("pageNotice", undefined);
  app.decorateRequest("unreadAlerts", undefined);
  for (const routes of [
    mailRoutes,
    alertsRoutes,
    healthRoutes,
    homeRoutes,
    authRoutes,
    oidcRoutes,
    organisationsRoutes,
    organisationLogoRoutes,
    calendarRoutes,
    frameworksRoutes,
    announcedDelaysRoutes,
    mailboxesRoutes,
    labelRoutes,
    leversRoutes,
    requestsRoutes,
    escalationRoutes,
    requestsPublicRoutes,
    requestsApiRoutes,
    requestImportRoutes,
    lettersRoutes,
    surveysRoutes,
    surveysPublicRoutes,
    surveysApiRoutes,
    dashboardsRoutes,
    openingHoursRoutes,
    publicationRoutes,
    assessmentsRoutes,
    actionsRoutes,
    staffRoutes,
    reviewsRoutes,
    obligationsRoutes,
    callsRoutes,
    callsApiRoutes,
    mysteryRoutes,
    mysteryApiRoutes,
    accountsRoutes,
    myAccountRoutes,
    tokensRoutes,
    serviceAccountsRoutes,
    webhooksRoutes,
    auditRoutes,
    legalRoutes,
    privacyRoutes,
  ]) {
    await routes(app, deps);
  }
  return app;
}
