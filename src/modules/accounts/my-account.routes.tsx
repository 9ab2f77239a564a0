import { actorOf, SESSION } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { handleForm } from "../../kernel/forms.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { ownPasswordSchema } from "./my-account.schema.ts";
import { changeOwnPassword, type MyAccount, myAccount } from "./my-account.service.ts";
import { MyAccountPage } from "./my-account.views.tsx";

function page(account: MyAccount, form: FormState, csrf: string): PageOptions {
  return {
    title: "Mon compte",
    breadcrumbs: [{ label: "Mon compte" }],
    children: <MyAccountPage account={account} form={form} csrf={csrf} />,
  };
}

/** « Mon compte »: any signed-in person, about their own account only (no id in the path to tamper with). */
export async function myAccountRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  app.get("/compte", { config: { access: SESSION }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, request, page(await myAccount(db, actorOf(request)), emptyForm(), request.csrfToken)),
  );

  app.post("/compte/password", { config: { access: SESSION }, schema: { hide: true } }, async (request, reply) => {
    const actor = actorOf(request);
    const account = await myAccount(db, actor);
    return handleForm(
      request,
      reply,
      async () => {
        const input = parseInput(ownPasswordSchema, request.body);
        if (!request.sessionTokenHash) throw new AppError("auth.required");
        await changeOwnPassword(db, actor, request.sessionTokenHash, input);
        return "/compte?ok=account.own_password";
      },
      (form) => page(account, form, request.csrfToken),
    );
  });
}
