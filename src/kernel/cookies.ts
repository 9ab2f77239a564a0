import type { FastifyRequest } from "fastify";
import type { AppDeps } from "./context.ts";
import type { PublicSource } from "./rate-limit.ts";

/**
 * Vigie's cookies, shared by the session plugin (src/app/plugins/session.ts), which sets and checks
 * them, and the routes that sign in and out or rate-limit public forms.
 */
export const SESSION_COOKIE = "vigie_session";
/** Per browser, for the signed double-submit CSRF token; it also tells browsers apart behind one address. */
export const CSRF_COOKIE = "vigie_csrf";
/** The display scheme (light, dark, system) chosen by the person. */
export const SCHEME_COOKIE = "vigie_scheme";

export function cookieOptions(deps: AppDeps, maxAgeSeconds?: number) {
  return {
    path: "/",
    httpOnly: true,
    secure: deps.config.cookieSecure,
    sameSite: "lax" as const,
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

/** The address and the browser behind a public form post, for its rate limits. */
export function publicSource(request: FastifyRequest): PublicSource {
  return { address: request.ip, browser: request.cookies[CSRF_COOKIE] };
}
