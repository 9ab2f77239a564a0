import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { CSRF_COOKIE, cookieOptions, SCHEME_COOKIE, SESSION_COOKIE } from "../../kernel/cookies.ts";
import { AppError } from "../../kernel/errors.ts";
import { instanceSecret } from "../../kernel/secrets.ts";
import { resolveSession } from "../../modules/accounts/sessions.service.ts";
import { resolveBearer } from "../../modules/integrations/tokens.service.ts";
import type { Scheme } from "../../ui/layout.tsx";

/** The CSRF key is made once per instance and kept in the database, so every app server shares it. */
function csrfSecret(db: Kysely<DB>): Promise<Buffer> {
  return instanceSecret(db, "csrf_secret");
}

function sign(secret: Buffer, nonce: string, session: string | undefined): string {
  return createHmac("sha256", secret)
    .update(`${nonce}|${session ?? ""}`)
    .digest("base64url");
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Loads the session, hands out the CSRF token and checks it on every form submission.
 * Forms carry a token bound to a per-browser cookie and to the session (signed double submit);
 * the JSON API only accepts JSON bodies, which another site's page cannot send without CORS.
 */
export async function sessionPlugin(app: App, deps: AppDeps): Promise<void> {
  const secret = await csrfSecret(deps.db);
  app.decorateRequest("actor", undefined);
  app.decorateRequest("sessionTokenHash", undefined);
  app.decorateRequest("csrfToken", "");
  app.decorateRequest("scheme", "system");
  app.decorateRequest("orgPath", undefined);
  app.decorateRequest("orgTimeZone", undefined);

  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const bearer = bearerOf(request);
    if (bearer !== undefined) {
      // An API token stands for its person on the JSON API only, whatever cookie comes with it;
      // the access check then applies the route's declared access to the token's narrowed rights.
      const actor = await resolveBearer(deps.db, bearer, { method: request.method, url: request.url });
      if (!actor) throw new AppError("token.invalid");
      request.actor = actor;
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const session = await resolveSession(deps.db, token);
      if (session) {
        request.actor = session.actor;
        request.sessionTokenHash = session.tokenHash;
      } else {
        reply.clearCookie(SESSION_COOKIE, { path: "/" });
      }
    }
    const scheme = request.cookies[SCHEME_COOKIE];
    request.scheme = scheme === "light" || scheme === "dark" ? (scheme as Scheme) : "system";
    let nonce = request.cookies[CSRF_COOKIE];
    if (!nonce || !/^[A-Za-z0-9_-]{43}$/.test(nonce)) {
      nonce = randomBytes(32).toString("base64url");
      reply.setCookie(CSRF_COOKIE, nonce, cookieOptions(deps));
    }
    request.csrfToken = sign(secret, nonce, request.sessionTokenHash);
  });

  // After the body is parsed, before validation: a forged request is refused whatever it carries.
  app.addHook("preValidation", async (request: FastifyRequest) => {
    if (!MUTATING.has(request.method)) return;
    // A bearer token is sent by a program, never by a browser on its own: no CSRF to fear. The JSON-only
    // rule below stays, as the API's contract.
    if (request.url.startsWith("/api/")) {
      // JSON only, even for a request without a body: a page of another site can send a bodyless
      // POST or a form without CORS, never a JSON one, so CSRF does not rest on SameSite alone.
      const type = request.headers["content-type"] ?? "";
      if (!type.startsWith("application/json")) {
        throw new AppError("http.unsupported_media_type", {
          message: "L'API n'accepte en écriture que du JSON : envoyez un corps JSON avec l'en-tête Content-Type: application/json.",
        });
      }
      return;
    }
    const body = request.body as Record<string, unknown> | undefined;
    const sent = typeof body?._csrf === "string" ? body._csrf : (request.headers["x-csrf-token"] as string | undefined);
    if (!sent || !safeEqual(sent, request.csrfToken)) throw new AppError("csrf.invalid");
  });
}

/** The bearer token of an `/api/v1/` request, if it carries one; elsewhere the header is ignored. */
function bearerOf(request: FastifyRequest): string | undefined {
  if (!request.url.startsWith("/api/v1/")) return undefined;
  const header = request.headers.authorization;
  if (!header || !/^bearer\s/i.test(header)) return undefined;
  return /^bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? "";
}
