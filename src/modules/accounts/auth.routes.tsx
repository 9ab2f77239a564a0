import type { FastifyReply } from "fastify";
import { z } from "zod";
import { PUBLIC, SESSION } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { cookieOptions, SCHEME_COOKIE, SESSION_COOKIE } from "../../kernel/cookies.ts";
import { AppError, isAppError } from "../../kernel/errors.ts";
import { refusedForm } from "../../kernel/forms.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormValues } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { loginSchema, setupSchema } from "./accounts.schema.ts";
import { createFirstAdmin, needsSetup } from "./accounts.service.ts";
import { DisplayView, LoginView, ProviderLogoutView, SetupView } from "./auth.views.tsx";
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE } from "./device-cookie.ts";
import { passwordsEnabled, signInButtons } from "./oidc-providers.service.ts";
import { providerLogoutUrl } from "./oidc-sign-in.service.ts";
import { postLogoutUrl, SIGN_IN_ERRORS } from "./oidc-urls.ts";
import { passwordResetRoutes } from "./password-reset.routes.tsx";
import { login, logout, type Session } from "./sessions.service.ts";

async function signInOptions(deps: AppDeps) {
  return { buttons: await signInButtons(deps.db), passwords: await passwordsEnabled(deps.db) };
}

/**
 * Only same-site paths are followed after login, never another host: no "//", no backslash, and
 * no control or blank character, which browsers drop ("/\t/evil.example" becomes "//evil.example").
 */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || !/^\/(?![/\\])/.test(next)) return "/";
  return [...next].some((ch) => ch <= " " || ch === "\u007f" || ch === "\\") ? "/" : next;
}

function formValues(body: unknown, keep: string[]): FormValues {
  const values: FormValues = {};
  const record = (body ?? {}) as Record<string, unknown>;
  for (const key of keep) if (typeof record[key] === "string") values[key] = record[key] as string;
  return values;
}

const SESSION_MAX_AGE = 7 * 24 * 3600;

/** Sets the cookies of a session just opened: the session's, and the device's (known devices skip the delay). */
function startSession(deps: AppDeps, reply: FastifyReply, session: Session): void {
  reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(deps, SESSION_MAX_AGE));
  reply.setCookie(DEVICE_COOKIE, session.deviceCookie, cookieOptions(deps, DEVICE_COOKIE_MAX_AGE));
}

export async function authRoutes(app: App, deps: AppDeps): Promise<void> {
  signInRoutes(app, deps);
  setupRoutes(app, deps);
  displayRoutes(app, deps);
  await passwordResetRoutes(app, deps);
  meApi(app);
}

/** Signing in with a password, and signing out (at the provider too, for a session opened there). */
function signInRoutes(app: App, deps: AppDeps): void {
  app.get("/login", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    if (await needsSetup(deps.db)) return reply.redirect("/setup");
    const next = safeNext((request.query as { next?: unknown }).next);
    if (request.actor) return reply.redirect(next);
    const code = (request.query as { error?: unknown }).error;
    const failed = (SIGN_IN_ERRORS as readonly unknown[]).includes(code)
      ? new AppError(code as (typeof SIGN_IN_ERRORS)[number])
      : undefined;
    const form = failed ? { values: {}, errors: { _: failed.message } } : emptyForm();
    return sendPage(
      reply,
      request,
      { title: "Connexion", children: <LoginView form={form} csrf={request.csrfToken} next={next} options={await signInOptions(deps)} /> },
      failed?.status ?? 200,
    );
  });

  app.post("/login", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const body = request.body as Record<string, unknown> | undefined;
    const next = safeNext(body?.next);
    try {
      const input = parseInput(loginSchema, body);
      const session = await login(deps.db, input, { source: request.ip, deviceCookie: request.cookies[DEVICE_COOKIE] });
      startSession(deps, reply, session);
      return reply.redirect(next === "/" ? "/?ok=welcome" : next, 303);
    } catch (error) {
      const { form, status } = refusedForm(error, formValues(body, ["email"]));
      return sendPage(
        reply,
        request,
        {
          title: "Connexion",
          children: <LoginView form={form} csrf={request.csrfToken} next={next} options={await signInOptions(deps)} />,
        },
        status,
      );
    }
  });

  app.post("/logout", { config: { access: SESSION }, schema: { hide: true } }, async (request, reply) => {
    let providerLogout: string | undefined;
    if (request.sessionTokenHash) {
      // A session opened through a provider ends there too, or the next sign-in would pass straight through.
      providerLogout = await providerLogoutUrl(deps.db, request.sessionTokenHash, postLogoutUrl(deps)).catch((error: unknown) => {
        request.log.warn({ err: error }, "adresse de déconnexion du fournisseur indisponible");
        return undefined;
      });
      await logout(deps.db, request.sessionTokenHash);
    }
    reply.clearCookie(SESSION_COOKIE, { path: "/" });
    if (!providerLogout) return reply.redirect("/login", 303);
    // Not a redirect: the CSP's form-action 'self' forbids a form's answer to lead to another site.
    request.actor = undefined;
    return sendPage(reply, request, {
      title: "Déconnexion",
      refresh: providerLogout,
      children: <ProviderLogoutView url={providerLogout} />,
    });
  });
}

/** The first start: the first administrator's account, then signed in. */
function setupRoutes(app: App, deps: AppDeps): void {
  app.get("/setup", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    if (!(await needsSetup(deps.db))) return reply.redirect("/login");
    return sendPage(reply, request, { title: "Premier démarrage", children: <SetupView form={emptyForm()} csrf={request.csrfToken} /> });
  });

  app.post("/setup", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    try {
      const input = parseInput(setupSchema, request.body);
      await createFirstAdmin(deps.db, input);
      const session = await login(deps.db, { email: input.email, password: input.password }, { source: request.ip });
      startSession(deps, reply, session);
      return reply.redirect("/organisations/new?ok=welcome", 303);
    } catch (error) {
      if (isAppError(error) && error.code === "auth.setup_done") throw error;
      const { form, status } = refusedForm(error, formValues(request.body, ["email", "displayName"]));
      return sendPage(reply, request, { title: "Premier démarrage", children: <SetupView form={form} csrf={request.csrfToken} /> }, status);
    }
  });
}

/** The display settings (light, dark or the system's theme), kept in a cookie. */
function displayRoutes(app: App, deps: AppDeps): void {
  app.get("/display", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, request, {
      title: "Paramètres d'affichage",
      children: <DisplayView scheme={request.scheme} csrf={request.csrfToken} />,
    }),
  );

  app.post("/display", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const { scheme } = parseInput(
      z.object({ scheme: z.enum(["light", "dark", "system"], { error: "Choisissez un thème." }) }),
      request.body,
    );
    reply.setCookie(SCHEME_COOKIE, scheme, { ...cookieOptions(deps, 365 * 24 * 3600), httpOnly: false });
    return reply.redirect("/display?ok=display.updated", 303);
  });
}

/** The API's view of the signed-in account and its roles. */
function meApi(app: App): void {
  app.get(
    "/api/v1/me",
    {
      config: { access: SESSION },
      schema: {
        tags: ["comptes"],
        summary: "Le compte connecté et ses rôles",
        response: {
          200: z.object({
            id: z.string(),
            email: z.string(),
            displayName: z.string(),
            instanceAdmin: z.boolean(),
            grants: z.array(z.object({ orgId: z.string(), role: z.string() })),
          }),
        },
      },
    },
    async (request) => {
      const actor = request.actor;
      if (!actor) throw new AppError("auth.required");
      return {
        id: actor.accountId,
        email: actor.email,
        displayName: actor.displayName,
        instanceAdmin: actor.instanceAdmin,
        grants: actor.grants,
      };
    },
  );
}
