import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf, anywhere, onAccount } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { handleForm, refusedForm, submittedValues } from "../../kernel/forms.ts";
import type { Actor } from "../../kernel/roles.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { listVisible } from "../organisations/organisations.service.ts";
import { accountCreateSchema, accountIdParams, accountUpdateSchema, grantSchema, passwordResetSchema } from "./accounts.schema.ts";
import { addGrant, createAccount, getAccount, listAccounts, removeGrant, resetPassword, updateAccount } from "./accounts.service.ts";
import { AccountCreateForm, AccountList, AccountPage } from "./accounts.views.tsx";

const accountOut = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  instanceAdmin: z.boolean(),
  active: z.boolean(),
  version: z.number(),
  createdAt: z.date(),
  lastLoginAt: z.date().nullable(),
});
const TAG = ["comptes"];
const MANAGE = { access: anywhere("account.manage") };
const MANAGE_ONE = { access: onAccount("account.manage") };

type Which = "profile" | "password" | "grant";

export async function accountsRoutes(app: App, deps: AppDeps): Promise<void> {
  accountListPages(app, deps);
  accountDetailPages(app, deps);
  await accountsApi(app, deps);
}

/** The organisations whose accounts `actor` manages (the choices of a role's organisation). */
function managedOrgs(deps: AppDeps, actor: Actor) {
  return listVisible(deps.db, actor, "account.manage");
}

/** The list of accounts and the creation of one. */
function accountListPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get("/accounts", { config: MANAGE, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, request, { title: "Comptes", children: <AccountList accounts={await listAccounts(db, actorOf(request))} /> }),
  );

  const createPage = (request: FastifyRequest, orgs: Awaited<ReturnType<typeof managedOrgs>>, form: FormState): PageOptions => ({
    title: "Nouveau compte",
    breadcrumbs: [{ label: "Comptes", href: "/accounts" }, { label: "Nouveau compte" }],
    children: <AccountCreateForm form={form} csrf={request.csrfToken} orgs={orgs} />,
  });

  app.get("/accounts/new", { config: MANAGE, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, request, createPage(request, await managedOrgs(deps, actorOf(request)), emptyForm())),
  );

  app.post("/accounts/new", { config: MANAGE, schema: { hide: true } }, async (request, reply) => {
    const actor = actorOf(request);
    const orgs = await managedOrgs(deps, actor);
    return handleForm(
      request,
      reply,
      async () => {
        const account = await createAccount(db, actor, parseInput(accountCreateSchema, request.body));
        return `/accounts/${account.id}?ok=account.created`;
      },
      (form) => createPage(request, orgs, form),
    );
  });
}

/** An account's page and its forms: profile, password, roles. */
function accountDetailPages(app: App, deps: AppDeps): void {
  const { db } = deps;
  /** The account page, with the form that failed (if any) shown again with its messages. */
  const accountPage = async (request: FastifyRequest, accountId: string, failed?: { which: Which; form: FormState }) => {
    const actor = actorOf(request);
    const details = await getAccount(db, actor, accountId);
    const profile = emptyForm({ displayName: details.account.displayName, active: details.account.active ? "true" : "false" });
    const formFor = (which: Which, fallback: FormState) => (failed?.which === which ? failed.form : fallback);
    return {
      title: details.account.displayName,
      breadcrumbs: [{ label: "Comptes", href: "/accounts" }, { label: details.account.displayName }],
      children: (
        <AccountPage
          details={details}
          csrf={request.csrfToken}
          orgs={await managedOrgs(deps, actor)}
          profileForm={formFor("profile", profile)}
          passwordForm={formFor("password", emptyForm())}
          grantForm={formFor("grant", emptyForm())}
        />
      ),
    };
  };

  app.get("/accounts/:accountId", { config: MANAGE_ONE, schema: { hide: true } }, async (request, reply) => {
    const { accountId } = parseInput(accountIdParams, request.params);
    return sendPage(reply, request, await accountPage(request, accountId));
  });

  const post = (path: string, which: Which, run: (actor: Actor, accountId: string, body: unknown) => Promise<string>) =>
    app.post(path, { config: MANAGE_ONE, schema: { hide: true } }, async (request, reply) => {
      const { accountId } = parseInput(accountIdParams, request.params);
      const actor = actorOf(request);
      try {
        const ok = await run(actor, accountId, request.body);
        return reply.redirect(`/accounts/${accountId}?ok=${ok}`, 303);
      } catch (error) {
        const { form, status } = refusedForm(error, submittedValues(request.body));
        return sendPage(reply, request, await accountPage(request, accountId, { which, form }), status);
      }
    });

  post("/accounts/:accountId", "profile", async (actor, accountId, body) => {
    await updateAccount(db, actor, accountId, parseInput(accountUpdateSchema, body));
    return "account.updated";
  });
  post("/accounts/:accountId/password", "password", async (actor, accountId, body) => {
    const input = parseInput(passwordResetSchema, body);
    await resetPassword(db, actor, accountId, input.password, input.version);
    return "account.password";
  });
  post("/accounts/:accountId/grants", "grant", async (actor, accountId, body) => {
    await addGrant(db, actor, accountId, parseInput(grantSchema, body));
    return "grant.added";
  });
  post("/accounts/:accountId/grants/remove", "grant", async (actor, accountId, body) => {
    await removeGrant(db, actor, accountId, parseInput(grantSchema, body));
    return "grant.removed";
  });
}

async function accountsApi(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  // ---- JSON API ----
  app.get(
    "/api/v1/accounts",
    { config: MANAGE, schema: { tags: TAG, summary: "Les comptes gérés par le compte connecté", response: { 200: z.array(accountOut) } } },
    async (request) => listAccounts(db, actorOf(request)),
  );
  app.post(
    "/api/v1/accounts",
    {
      config: MANAGE,
      schema: { tags: TAG, summary: "Créer un compte avec un premier rôle", body: accountCreateSchema, response: { 201: accountOut } },
    },
    async (request, reply) => reply.status(201).send(await createAccount(db, actorOf(request), request.body)),
  );
  app.get(
    "/api/v1/accounts/:accountId",
    {
      config: MANAGE_ONE,
      schema: {
        tags: TAG,
        summary: "Un compte et ses rôles",
        params: accountIdParams,
        response: {
          200: z.object({
            account: accountOut,
            grants: z.array(z.object({ orgId: z.string(), orgName: z.string(), role: z.string() })),
            hiddenGrants: z.number(),
            editable: z.boolean(),
          }),
        },
      },
    },
    async (request) => getAccount(db, actorOf(request), request.params.accountId),
  );
  app.put(
    "/api/v1/accounts/:accountId",
    {
      config: MANAGE_ONE,
      schema: {
        tags: TAG,
        summary: "Modifier le nom ou l'état d'un compte",
        params: accountIdParams,
        body: accountUpdateSchema,
        response: { 200: accountOut },
      },
    },
    async (request) => updateAccount(db, actorOf(request), request.params.accountId, request.body),
  );
  app.post(
    "/api/v1/accounts/:accountId/grants",
    {
      config: MANAGE_ONE,
      schema: { tags: TAG, summary: "Attribuer un rôle sur une organisation", params: accountIdParams, body: grantSchema },
    },
    async (request, reply) => {
      await addGrant(db, actorOf(request), request.params.accountId, request.body);
      return reply.status(204).send();
    },
  );
  app.delete(
    "/api/v1/accounts/:accountId/grants",
    { config: MANAGE_ONE, schema: { tags: TAG, summary: "Retirer un rôle", params: accountIdParams, querystring: grantSchema } },
    async (request, reply) => {
      await removeGrant(db, actorOf(request), request.params.accountId, request.query);
      return reply.status(204).send();
    },
  );
}
