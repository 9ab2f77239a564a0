import type { FastifyReply, FastifyRequest } from "fastify";
import type { App, AppDeps } from "./context.ts";

/**
 * The policy of every page: nothing inline, nothing from elsewhere, never inside another site's frame.
 * Styles and scripts come from our own files only, so an injected `<script>` or `style=` does nothing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The API documentation (Swagger UI, a third-party script) writes one style block of its own at run time:
 * that one is allowed by its hash, nothing else. The e2e journey through /api/docs fails if an upgrade
 * of @fastify/swagger-ui changes it.
 */
const API_DOCS_CSP = CONTENT_SECURITY_POLICY.replace(
  "style-src 'self'",
  "style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='",
);

/**
 * Pages whose address carries a secret (tracking token, survey invitation, kiosk key, password reset): the
 * browser must not hand that address to the next site in a `Referer`.
 */
const TOKEN_IN_URL = [/^\/track(\/|$)/, /^\/s\//, /^\/borne\//, /^\/password\/reset(\/|$)/];

declare module "fastify" {
  interface FastifyContextConfig {
    /** The page is made to be shown in another site's iframe (the publication widget). */
    embeddable?: boolean;
  }
}

function carriesToken(request: FastifyRequest): boolean {
  const path = (request.url ?? "").split("?", 1)[0] ?? "";
  return TOKEN_IN_URL.some((re) => re.test(path));
}

/** Sets the headers on one answer; a Content-Security-Policy the route set itself is kept. */
export function applySecurityHeaders(request: FastifyRequest, reply: FastifyReply, https: boolean): void {
  // A request refused before routing (malformed address) has no route options.
  const embeddable = request.routeOptions?.config?.embeddable === true;
  if (!reply.hasHeader("content-security-policy")) {
    const path = (request.url ?? "").split("?", 1)[0] ?? "";
    const apiDocs = path === "/api/docs" || path.startsWith("/api/docs/");
    reply.header(
      "content-security-policy",
      embeddable
        ? CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")
        : apiDocs
          ? API_DOCS_CSP
          : CONTENT_SECURITY_POLICY,
    );
  }
  if (!embeddable) reply.header("x-frame-options", "DENY");
  reply.header("x-content-type-options", "nosniff");
  reply.header("referrer-policy", carriesToken(request) ? "no-referrer" : "strict-origin-when-cross-origin");
  reply.header("cross-origin-opener-policy", "same-origin");
  // Only over HTTPS: on a plain-HTTP install the header would be ignored, or lock a test host out.
  if (https) reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
}

/**
 * Security headers on every answer, 404s and errors included (the server's `frameworkErrors`, which
 * runs before any hook, calls applySecurityHeaders itself). Downloads in `sandbox` and the embeddable
 * widget set their own Content-Security-Policy.
 */
export async function securityHeadersPlugin(app: App, deps: AppDeps): Promise<void> {
  const https = deps.config.baseUrl.startsWith("https:");
  app.addHook("onSend", async (request, reply, payload) => {
    applySecurityHeaders(request, reply, https);
    return payload;
  });
}
