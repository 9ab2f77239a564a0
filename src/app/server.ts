import fastifyCompress from "@fastify/compress";
import fastifyCookie from "@fastify/cookie";
import fastifyFormbody from "@fastify/formbody";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { App, AppDeps } from "../kernel/context.ts";
import { AppError } from "../kernel/errors.ts";
import { applySecurityHeaders, securityHeadersPlugin } from "../kernel/security-headers.ts";
import { configurePages } from "../ui/page.tsx";
import { assembleModules } from "./modules.ts";
import { accessPlugin } from "./plugins/access.ts";
import { assetsPlugin } from "./plugins/assets.ts";
import { errorHandling, sendError } from "./plugins/errors.tsx";
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
  for (const module of assembleModules()) {
    for (const routes of module.routes ?? []) await routes(app, deps);
  }
  return app;
}
