import type { FastifyRequest, RouteOptions } from "fastify";
import type { Access } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { can, canSomewhere } from "../../kernel/roles.ts";
import { canManageAccount } from "../../modules/accounts/accounts.service.ts";
import { API_MODULES, apiModuleOf, tokenLevel } from "../../modules/integrations/api-modules.ts";
import { organisationForAccess } from "../../modules/organisations/organisations.service.ts";

/** Routes added by plugins (static files, API docs) are public by nature. */
const PLUGIN_PUBLIC_PREFIXES = ["/assets/", "/api/docs"];

export function accessOf(route: Pick<RouteOptions, "config" | "url">): Access | undefined {
  const config = route.config as { access?: Access } | undefined;
  if (config?.access) return config.access;
  if (PLUGIN_PUBLIC_PREFIXES.some((p) => route.url.startsWith(p))) return { kind: "public" };
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function check(request: FastifyRequest, deps: AppDeps, access: Access): Promise<void> {
  if (access.kind === "public") return;
  const actor = request.actor;
  if (!actor) throw new AppError("auth.required");
  switch (access.kind) {
    case "session":
      return;
    case "instance-admin":
      if (!actor.instanceAdmin) throw new AppError("auth.forbidden");
      return;
    case "any":
      if (!canSomewhere(actor, access.permission)) throw new AppError("auth.forbidden");
      return;
    case "org": {
      const orgId = (request.params as { orgId?: string }).orgId;
      if (!orgId || !UUID.test(orgId)) throw new AppError("organisation.not_found");
      const org = await organisationForAccess(deps.db, orgId);
      const path = org?.path;
      // An organisation outside the actor's reach is answered as missing: its existence does not leak.
      if (!path || !can(actor, "org.read", path)) throw new AppError("organisation.not_found");
      if (!can(actor, access.permission, path)) throw new AppError("auth.forbidden");
      request.orgPath = path;
      request.orgTimeZone = org?.timeZone;
      return;
    }
    case "account": {
      const accountId = (request.params as { accountId?: string }).accountId;
      if (!accountId || !UUID.test(accountId) || !(await canManageAccount(deps.db, actor, accountId))) {
        throw new AppError("account.not_found");
      }
      return;
    }
  }
}

export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access;
  /** The fields of a declared body schema (the JSON API): the cross-tenant test crosses those that carry ids. */
  bodyFields: string[];
}

/** The keys of a zod object schema (possibly refined or wrapped), or none. */
function schemaFields(schema: unknown): string[] {
  const shape = (schema as { shape?: unknown } | undefined)?.shape;
  if (shape && typeof shape === "object") return Object.keys(shape);
  const inner = (schema as { def?: { in?: unknown; innerType?: unknown; schema?: unknown } } | undefined)?.def;
  return inner ? schemaFields(inner.in ?? inner.innerType ?? inner.schema) : [];
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route with its declared access, for the access-matrix test and the docs. */
    declaredRoutes: DeclaredRoute[];
  }
}

export async function accessPlugin(app: App, deps: AppDeps): Promise<void> {
  const declared: DeclaredRoute[] = [];
  app.decorate("declaredRoutes", declared);
  app.addHook("onRoute", (route) => {
    const access = accessOf(route);
    if (!access) {
      throw new Error(`La route ${route.method} ${route.url} ne déclare pas qui peut l'appeler (config.access).`);
    }
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      declared.push({ method, url: route.url, access, bodyFields: schemaFields(route.schema?.body) });
    }
  });
  app.addHook("onRequest", async (request) => {
    const access = accessOf({ config: request.routeOptions.config, url: request.routeOptions.url ?? "" });
    // Unknown URLs have no route options; the not-found handler answers them.
    if (!request.routeOptions.url) return;
    if (!access) throw new AppError("auth.forbidden");
    await check(request, deps, access);
    // A token's scope narrows the roles further: per module (from the route's address), then read
    // only (GET) or read and write. Whatever the roles allow, a token does no more than its scope.
    const token = request.actor?.token;
    if (token) {
      const route = request.routeOptions.url;
      const level = tokenLevel(token, route);
      if (!level) {
        const module = apiModuleOf(route);
        throw new AppError("auth.forbidden", {
          message: module
            ? `Ce jeton d'API n'ouvre pas le module « ${API_MODULES[module]} ».`
            : "Ce jeton d'API n'ouvre pas cette partie de l'API.",
        });
      }
      if (level === "read" && request.method !== "GET" && request.method !== "HEAD") {
        throw new AppError("auth.forbidden", {
          message: token.modules
            ? "Ce jeton d'API ne permet que de lire dans ce module : il ne permet pas d'y écrire."
            : "Ce jeton d'API est en lecture seule : il ne permet pas d'écrire.",
        });
      }
    }
  });
}
