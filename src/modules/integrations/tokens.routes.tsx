import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/schema.ts";
import { actorOf, SESSION } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { refusedForm, submittedValues } from "../../kernel/forms.ts";
import type { Actor } from "../../kernel/roles.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { organisationTree } from "../organisations/organisations.service.ts";
import { tokenSchema } from "./tokens.schema.ts";
import { createToken, DEFAULT_DAYS, listTokens, revokeToken } from "./tokens.service.ts";
import { TokensPage } from "./tokens.views.tsx";

async function page(
  db: Kysely<DB>,
  actor: Actor,
  form: FormState,
  csrf: string,
  created?: { name: string; secret: string },
): Promise<PageOptions> {
  const [tokens, tree] = await Promise.all([listTokens(db, actor), organisationTree(db, actor, undefined)]);
  const depthBase = Math.min(...tree.orgs.map((o) => o.path.length));
  return {
    title: "Jetons d'API",
    breadcrumbs: [{ label: "Mon compte", href: "/compte" }, { label: "Jetons d'API" }],
    children: (
      <TokensPage
        tokens={tokens}
        orgs={tree.orgs.map((o) => ({ id: o.id, name: o.name, depth: o.path.length - depthBase }))}
        orgNames={new Map(tree.orgs.map((o) => [o.id, o.name]))}
        form={form}
        csrf={csrf}
        created={created}
        now={new Date()}
      />
    ),
  };
}

const tokenParams = z.object({ tokenId: z.guid() });

/** « Jetons d'API »: a person's own tokens, under their account (no account id in the path to tamper with). */
export async function tokensRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  app.get("/compte/jetons", { config: { access: SESSION }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, request, await page(db, actorOf(request), emptyForm({ scope: "read", days: String(DEFAULT_DAYS) }), request.csrfToken)),
  );

  // Not handleForm: the answer to a success is the page with the secret, shown once, not a redirect
  // (a secret in a redirect's address would stay in the history).
  app.post("/compte/jetons", { config: { access: SESSION }, schema: { hide: true } }, async (request, reply) => {
    const actor = actorOf(request);
    try {
      const input = parseInput(tokenSchema, request.body);
      const { secret, token } = await createToken(db, actor, input);
      reply.header("cache-control", "no-store");
      return sendPage(
        reply,
        request,
        await page(db, actor, emptyForm({ scope: "read", days: String(DEFAULT_DAYS) }), request.csrfToken, { name: token.name, secret }),
        201,
      );
    } catch (error) {
      const { form, status } = refusedForm(error, submittedValues(request.body));
      return sendPage(reply, request, await page(db, actor, form, request.csrfToken), status);
    }
  });

  app.post("/compte/jetons/:tokenId/revoke", { config: { access: SESSION }, schema: { hide: true } }, async (request, reply) => {
    const { tokenId } = parseInput(tokenParams, request.params);
    await revokeToken(db, actorOf(request), tokenId);
    return reply.redirect("/compte/jetons?ok=token.revoked", 303);
  });
}
