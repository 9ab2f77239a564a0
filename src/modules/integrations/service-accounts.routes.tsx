import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { actorOf, INSTANCE_ADMIN } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { refusedForm, submittedValues } from "../../kernel/forms.ts";
import type { Actor } from "../../kernel/roles.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { createServiceAccount } from "../accounts/accounts.service.ts";
import { organisationTree } from "../organisations/organisations.service.ts";
import { ServiceAccountsPage, ServiceTokenPage } from "./service-accounts.views.tsx";
import { serviceAccountParams, serviceAccountSchema, serviceTokenParams, serviceTokenSchema } from "./tokens.schema.ts";
import { createServiceToken, revokeServiceToken, serviceAccountsWithTokens } from "./tokens.service.ts";

const TITLE = "Comptes de service";
const CRUMBS = [{ label: "Administration" }, { label: TITLE, href: "/admin/service-accounts" }];

async function orgOptions(db: Kysely<DB>, actor: Actor) {
  const tree = await organisationTree(db, actor, undefined);
  const depthBase = Math.min(...tree.orgs.map((o) => o.path.length));
  return {
    orgs: tree.orgs.map((o) => ({ id: o.id, name: o.name, depth: o.path.length - depthBase })),
    orgNames: new Map(tree.orgs.map((o) => [o.id, o.name])),
  };
}

async function listPage(
  db: Kysely<DB>,
  actor: Actor,
  accountForm: FormState,
  csrf: string,
  created?: { account: string; name: string; secret: string },
): Promise<PageOptions> {
  const [accounts, options] = await Promise.all([serviceAccountsWithTokens(db, actor), orgOptions(db, actor)]);
  return {
    title: TITLE,
    breadcrumbs: [{ label: "Administration" }, { label: TITLE }],
    children: (
      <ServiceAccountsPage accounts={accounts} {...options} accountForm={accountForm} csrf={csrf} created={created} now={new Date()} />
    ),
  };
}

async function tokenPage(db: Kysely<DB>, actor: Actor, accountId: string, form: FormState, csrf: string): Promise<PageOptions> {
  const [accounts, options] = await Promise.all([serviceAccountsWithTokens(db, actor), orgOptions(db, actor)]);
  const account = accounts.find((a) => a.id === accountId);
  if (!account) throw new AppError("token.service_not_found");
  return {
    title: `Nouveau jeton pour « ${account.displayName} »`,
    breadcrumbs: [...CRUMBS, { label: "Nouveau jeton" }],
    children: <ServiceTokenPage account={account} orgs={options.orgs} form={form} csrf={csrf} />,
  };
}

/**
 * « Comptes de service » (instance administrators only): accounts that stand for another system, and
 * the API tokens given to them. A token's secret is shown once, on the answer to its creation.
 */
export async function serviceAccountsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  app.get("/admin/service-accounts", { config: { access: INSTANCE_ADMIN }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, request, await listPage(db, actorOf(request), emptyForm({ role: "agent" }), request.csrfToken)),
  );

  app.post("/admin/service-accounts", { config: { access: INSTANCE_ADMIN }, schema: { hide: true } }, async (request, reply) => {
    const actor = actorOf(request);
    try {
      const input = parseInput(serviceAccountSchema, request.body);
      await createServiceAccount(db, actor, input);
      return reply.redirect("/admin/service-accounts?ok=service_account.created", 303);
    } catch (error) {
      const { form, status } = refusedForm(error, submittedValues(request.body));
      return sendPage(reply, request, await listPage(db, actor, form, request.csrfToken), status);
    }
  });

  app.get(
    "/admin/service-accounts/:accountId/tokens/new",
    { config: { access: INSTANCE_ADMIN }, schema: { hide: true } },
    async (request, reply) => {
      const { accountId } = parseInput(serviceAccountParams, request.params);
      const form = emptyForm({ days: "365" });
      return sendPage(reply, request, await tokenPage(db, actorOf(request), accountId, form, request.csrfToken));
    },
  );

  // Not handleForm: the answer to a success shows the secret, once, not a redirect.
  app.post(
    "/admin/service-accounts/:accountId/tokens",
    { config: { access: INSTANCE_ADMIN }, schema: { hide: true } },
    async (request, reply) => {
      const actor = actorOf(request);
      const { accountId } = parseInput(serviceAccountParams, request.params);
      try {
        const input = parseInput(serviceTokenSchema, request.body);
        const { secret, token } = await createServiceToken(db, actor, accountId, input);
        const accounts = await serviceAccountsWithTokens(db, actor);
        const account = accounts.find((a) => a.id === accountId)?.displayName ?? "";
        reply.header("cache-control", "no-store");
        return sendPage(
          reply,
          request,
          await listPage(db, actor, emptyForm({ role: "agent" }), request.csrfToken, { account, name: token.name, secret }),
          201,
        );
      } catch (error) {
        const { form, status } = refusedForm(error, submittedValues(request.body));
        return sendPage(reply, request, await tokenPage(db, actor, accountId, form, request.csrfToken), status);
      }
    },
  );

  app.post(
    "/admin/service-accounts/:accountId/tokens/:tokenId/revoke",
    { config: { access: INSTANCE_ADMIN }, schema: { hide: true } },
    async (request, reply) => {
      const { accountId, tokenId } = parseInput(serviceTokenParams, request.params);
      await revokeServiceToken(db, actorOf(request), accountId, tokenId);
      return reply.redirect("/admin/service-accounts?ok=token.revoked", 303);
    },
  );
}
