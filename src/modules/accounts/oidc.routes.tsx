import type { FastifyRequest } from "fastify";
import { actorOf, INSTANCE_ADMIN, PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { cookieOptions, SESSION_COOKIE } from "../../kernel/cookies.ts";
import { isAppError } from "../../kernel/errors.ts";
import { handleForm, refusedForm, submittedValues } from "../../kernel/forms.ts";
import type { Actor } from "../../kernel/roles.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { listVisible } from "../organisations/organisations.service.ts";
import { orgOptions } from "./accounts.views.tsx";
import { safeNext } from "./auth.routes.tsx";
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE } from "./device-cookie.ts";
import {
  callbackQuery,
  deleteSchema,
  passwordSettingSchema,
  providerIdParams,
  providerSchema,
  ruleIdParams,
  ruleSchema,
} from "./oidc.schema.ts";
import { ProviderForm, RulesSection, SignInAdminView } from "./oidc.views.tsx";
import * as providers from "./oidc-providers.service.ts";
import { finishSignIn, startSignIn } from "./oidc-sign-in.service.ts";
import { callbackUrl, postLogoutUrl, SIGN_IN_ERRORS } from "./oidc-urls.ts";

/** The browser's half of the state: short-lived, and sent back only to /oidc (the callback). */
export const OIDC_STATE_COOKIE = "vigie_oidc_state";
const SESSION_MAX_AGE = 7 * 24 * 3600;

const PROVIDER_DEFAULTS = {
  scopes: "openid email profile",
  emailClaim: "email",
  givenNameClaim: "given_name",
  familyNameClaim: "family_name",
  usualNameClaim: "usual_name",
};

const ADMIN = { access: INSTANCE_ADMIN };
const hide = { hide: true };

export async function oidcRoutes(app: App, deps: AppDeps): Promise<void> {
  await oidcSignIn(app, deps);
  signInSettingsPages(app, deps);
  newProviderPages(app, deps);
  providerPages(app, deps);
}

async function oidcSignIn(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  // ---- sign-in ----
  app.get("/oidc/:providerId/start", { config: { access: PUBLIC }, schema: hide }, async (request, reply) => {
    const params = providerIdParams.safeParse(request.params);
    if (!params.success) return reply.redirect("/login?error=oidc.provider_not_found", 303);
    const next = safeNext((request.query as { next?: unknown } | undefined)?.next);
    try {
      const { url, state } = await startSignIn(db, params.data.providerId, callbackUrl(deps), next);
      reply.setCookie(OIDC_STATE_COOKIE, state, { ...cookieOptions(deps, 600), path: "/oidc" });
      return reply.redirect(url, 303);
    } catch (error) {
      if (!isAppError(error)) throw error;
      return reply.redirect(`/login?error=${error.code}`, 303);
    }
  });

  app.get("/oidc/callback", { config: { access: PUBLIC }, schema: hide }, async (request, reply) => {
    const cookieState = request.cookies[OIDC_STATE_COOKIE];
    reply.clearCookie(OIDC_STATE_COOKIE, { path: "/oidc" });
    try {
      parseInput(callbackQuery, request.query);
      const currentUrl = new URL(request.url, deps.config.baseUrl);
      const session = await finishSignIn(
        db,
        { currentUrl, redirectUri: callbackUrl(deps), cookieState },
        { source: request.ip, deviceCookie: request.cookies[DEVICE_COOKIE] },
      );
      reply.setCookie(SESSION_COOKIE, session.token, cookieOptions(deps, SESSION_MAX_AGE));
      reply.setCookie(DEVICE_COOKIE, session.deviceCookie, cookieOptions(deps, DEVICE_COOKIE_MAX_AGE));
      return reply.redirect(session.next === "/" ? "/?ok=welcome" : session.next, 303);
    } catch (error) {
      if (!isAppError(error)) {
        request.log.error({ err: error }, "échec inattendu de la connexion OpenID Connect");
        return reply.redirect("/login?error=oidc.failed", 303);
      }
      const code = (SIGN_IN_ERRORS as readonly string[]).includes(error.code) ? error.code : "oidc.failed";
      return reply.redirect(`/login?error=${code}`, 303);
    }
  });
}

/** The administration of the sign-in modes: the page of providers, passwords allowed or not. */
function signInSettingsPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  const adminData = async () => ({
    providers: await providers.listProviders(db),
    passwordsEnabled: await providers.passwordsEnabled(db),
    callbackUrl: callbackUrl(deps),
    logoutUrl: postLogoutUrl(deps),
  });
  const adminPage = (request: FastifyRequest, data: Awaited<ReturnType<typeof adminData>>, form: FormState): PageOptions => ({
    title: "Modes de connexion",
    children: <SignInAdminView data={data} csrf={request.csrfToken} form={form} />,
  });

  app.get("/admin/sign-in", { config: ADMIN, schema: hide }, async (request, reply) =>
    sendPage(reply, request, adminPage(request, await adminData(), emptyForm())),
  );

  app.post("/admin/sign-in/passwords", { config: ADMIN, schema: hide }, async (request, reply) => {
    const data = await adminData();
    return handleForm(
      request,
      reply,
      async () => {
        const { passwords } = parseInput(passwordSettingSchema, request.body);
        await providers.setPasswords(db, actorOf(request), passwords === "on");
        return `/admin/sign-in?ok=${passwords === "on" ? "passwords.on" : "passwords.off"}`;
      },
      (form) => adminPage(request, data, form),
    );
  });
}

/** The creation of an identity provider. */
function newProviderPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  const newPage = (request: FastifyRequest, form: FormState): PageOptions => ({
    title: "Nouveau fournisseur d'identité",
    breadcrumbs: [{ label: "Modes de connexion", href: "/admin/sign-in" }, { label: "Nouveau fournisseur" }],
    children: (
      <div class="fr-col-12 fr-col-md-8">
        <h1>Nouveau fournisseur d'identité</h1>
        <ProviderForm form={form} csrf={request.csrfToken} action="/admin/sign-in/providers/new" editing={false} />
      </div>
    ),
  });

  app.get("/admin/sign-in/providers/new", { config: ADMIN, schema: hide }, async (request, reply) =>
    sendPage(reply, request, newPage(request, emptyForm(PROVIDER_DEFAULTS))),
  );

  app.post("/admin/sign-in/providers/new", { config: ADMIN, schema: hide }, async (request, reply) =>
    handleForm(
      request,
      reply,
      async () => {
        const provider = await providers.createProvider(db, actorOf(request), parseInput(providerSchema, request.body));
        return `/admin/sign-in/providers/${provider.id}?ok=oidc.provider_saved`;
      },
      (form) => newPage(request, withoutSecret(form)),
    ),
  );
}

/** A provider's page, with the form that failed (if any) shown again with its messages. */
async function providerPage(
  deps: AppDeps,
  request: FastifyRequest,
  providerId: string,
  failed?: { which: "provider" | "rule"; form: FormState },
): Promise<PageOptions> {
  const { db } = deps;
  const { provider, rules } = await providers.getProvider(db, providerId);
  const values = {
    label: provider.label,
    issuer: provider.issuer,
    clientId: provider.clientId,
    scopes: provider.scopes,
    emailClaim: provider.emailClaim,
    givenNameClaim: provider.givenNameClaim,
    familyNameClaim: provider.familyNameClaim,
    usualNameClaim: provider.usualNameClaim,
    proconnect: provider.proconnect ? "true" : "",
  };
  const providerForm = failed?.which === "provider" ? failed.form : emptyForm(values);
  const ruleForm = failed?.which === "rule" ? failed.form : emptyForm();
  const orgs = orgOptions(await listVisible(db, actorOf(request), "account.manage"));
  return {
    title: provider.label,
    breadcrumbs: [{ label: "Modes de connexion", href: "/admin/sign-in" }, { label: provider.label }],
    children: (
      <div class="fr-col-12 fr-col-md-10">
        <h1>{provider.label}</h1>
        <p>
          {provider.endSession
            ? "La déconnexion de Vigie déconnecte aussi du fournisseur."
            : "Ce fournisseur n'annonce pas d'adresse de déconnexion : la déconnexion de Vigie ne ferme pas la session chez lui."}
        </p>
        <ProviderForm form={providerForm} csrf={request.csrfToken} action={`/admin/sign-in/providers/${provider.id}`} editing={true} />
        <RulesSection providerId={provider.id} rules={rules} orgs={orgs} csrf={request.csrfToken} form={ruleForm} />
        <section class="fr-mt-6w">
          <h2>Supprimer ce fournisseur</h2>
          <p>Les comptes restent ; leur lien avec ce fournisseur et les règles sont supprimés.</p>
          <form method="post" action={`/admin/sign-in/providers/${provider.id}/delete`}>
            <input type="hidden" name="_csrf" value={request.csrfToken} />
            <input type="hidden" name="version" value={String(provider.version)} />
            <button type="submit" class="fr-btn fr-btn--secondary">
              Supprimer le fournisseur
            </button>
          </form>
        </section>
      </div>
    ),
  };
}

/** A provider: its settings, its rules (roles given on sign-in), its deletion. */
function providerPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get("/admin/sign-in/providers/:providerId", { config: ADMIN, schema: hide }, async (request, reply) => {
    const { providerId } = parseInput(providerIdParams, request.params);
    return sendPage(reply, request, await providerPage(deps, request, providerId));
  });

  type Run = (actor: Actor, providerId: string, body: unknown, params: unknown) => Promise<string>;
  const post = (path: string, which: "provider" | "rule", run: Run) =>
    app.post(path, { config: ADMIN, schema: hide }, async (request, reply) => {
      const { providerId } = parseInput(providerIdParams.passthrough(), request.params);
      try {
        return reply.redirect(await run(actorOf(request), providerId, request.body, request.params), 303);
      } catch (error) {
        const refused = refusedForm(error, submittedValues(request.body));
        const form = withoutSecret(refused.form);
        return sendPage(reply, request, await providerPage(deps, request, providerId, { which, form }), refused.status);
      }
    });

  post("/admin/sign-in/providers/:providerId", "provider", async (actor, providerId, body) => {
    await providers.updateProvider(db, actor, providerId, parseInput(providerSchema, body));
    return `/admin/sign-in/providers/${providerId}?ok=oidc.provider_saved`;
  });
  post("/admin/sign-in/providers/:providerId/rules", "rule", async (actor, providerId, body) => {
    await providers.addRule(db, actor, providerId, parseInput(ruleSchema, body));
    return `/admin/sign-in/providers/${providerId}?ok=oidc.rule_added`;
  });
  post("/admin/sign-in/providers/:providerId/rules/:ruleId/delete", "rule", async (actor, providerId, _body, params) => {
    const { ruleId } = parseInput(ruleIdParams, params);
    await providers.removeRule(db, actor, providerId, ruleId);
    return `/admin/sign-in/providers/${providerId}?ok=oidc.rule_removed`;
  });
  post("/admin/sign-in/providers/:providerId/delete", "provider", async (actor, providerId, body) => {
    await providers.deleteProvider(db, actor, providerId, parseInput(deleteSchema, body).version);
    return "/admin/sign-in?ok=oidc.provider_deleted";
  });
}

/** A failed form comes back without the secret typed: it is never written into a page. */
function withoutSecret(form: FormState): FormState {
  const { clientSecret: _dropped, ...values } = form.values;
  return { ...form, values };
}
