/**
 * The modules of the JSON API, for the per-module scopes of API tokens. A route's module comes from
 * its address under `/api/v1`: the segment after `/organisations/:orgId/`, or the first segment.
 * The table is the one documented in docs/architecture.md (« Intégrations »).
 */
export const API_MODULES = {
  organisations: "Organisations, comptes et journal d'audit",
  requests: "Demandes des usagers",
  calls: "Accueil téléphonique",
  dashboards: "Indicateurs et tableaux de bord",
  surveys: "Enquêtes et visites mystère",
  commitments: "Référentiels, engagements et plans d'action",
  publication: "Publication des résultats",
} as const;
export type ApiModule = keyof typeof API_MODULES;
export const API_MODULE_KEYS = Object.keys(API_MODULES) as ApiModule[];
export type ModuleScopes = Partial<Record<ApiModule, "read" | "write">>;

export function isApiModule(value: string): value is ApiModule {
  return Object.hasOwn(API_MODULES, value);
}

/** The segment after `/organisations/:orgId/` → its module. */
const ORG_SEGMENTS: Record<string, ApiModule> = {
  requests: "requests",
  "request-indicators": "requests",
  "announced-delays": "requests",
  closures: "requests",
  calls: "calls",
  "call-indicators": "calls",
  "call-imports": "calls",
  dashboard: "dashboards",
  review: "dashboards",
  surveys: "surveys",
  "mystery-campaigns": "surveys",
  commitments: "commitments",
  "local-commitments": "commitments",
  framework: "commitments",
  assessments: "commitments",
  actions: "commitments",
  publication: "publication",
  "public-info": "publication",
};

/** The first segment under `/api/v1/` → its module. */
const TOP_SEGMENTS: Record<string, ApiModule> = {
  organisations: "organisations",
  accounts: "organisations",
  audit: "organisations",
  frameworks: "commitments",
  commitments: "commitments",
  levers: "commitments",
};

/**
 * The module of a route pattern (`/api/v1/organisations/:orgId/calls`): `null` for what any token may
 * call whatever its modules (the API's index, `/me`, the public routes, which need no token at all),
 * `undefined` for a route this table does not know — refused to a token limited to some modules.
 */
export function apiModuleOf(routeUrl: string): ApiModule | null | undefined {
  const parts = routeUrl.split("?")[0]?.split("/").filter(Boolean) ?? [];
  if (parts[0] !== "api" || parts[1] !== "v1") return null;
  const top = parts[2];
  if (top === undefined || top === "me" || top === "public") return null;
  if (top === "organisations" && parts.length > 4) return ORG_SEGMENTS[parts[4] ?? ""];
  return TOP_SEGMENTS[top];
}

/** What a token may do on a route: "write", "read" or nothing (undefined). */
export function tokenLevel(
  token: { scope: "read" | "write"; modules?: ModuleScopes | null | undefined },
  routeUrl: string,
): "read" | "write" | undefined {
  if (!token.modules) return token.scope;
  const module = apiModuleOf(routeUrl);
  if (module === null) return Object.values(token.modules).includes("write") ? "write" : "read";
  if (module === undefined) return undefined;
  return token.modules[module];
}
