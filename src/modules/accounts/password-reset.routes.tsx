import { z } from "zod";
import { PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { publicSource } from "../../kernel/cookies.ts";
import { AppError, isAppError } from "../../kernel/errors.ts";
import { refusedForm } from "../../kernel/forms.ts";
import { countHit, takePublicHit } from "../../kernel/rate-limit.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { chooseNewPasswordSchema, forgotPasswordSchema } from "./accounts.schema.ts";
import { passwordsEnabled } from "./oidc.repository.ts";
import { completePasswordReset, requestPasswordReset, resetTokenValid } from "./password-reset.service.ts";
import { ForgotSentView, ForgotView, ResetInvalidView, ResetView } from "./password-reset.views.tsx";

const HOUR = 3600_000;
/** Asking for links: a few per browser, more per shared address, and 3 mails an hour to one account at most. */
const FORGOT_LIMITS = { perBrowser: { max: 5, windowMs: HOUR }, perAddress: { max: 60, windowMs: HOUR } };
const MAILS_PER_ACCOUNT = { max: 3, windowMs: HOUR };

/** « Mot de passe oublié ? » : ask for a link, then choose a new password with it. No account needed. */
export async function passwordResetRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const forgotPage = { title: "Mot de passe oublié" };
  const resetPage = { title: "Choisir un nouveau mot de passe" };

  // With passwords turned off, a new password would open nothing: the page says so instead of sending a link.
  const disabled = () => ({ values: {}, errors: { _: new AppError("auth.password_disabled").message } });
  app.get("/password/forgot", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const form = (await passwordsEnabled(db)) ? emptyForm() : disabled();
    return sendPage(reply, request, { ...forgotPage, children: <ForgotView form={form} csrf={request.csrfToken} /> });
  });

  app.post("/password/forgot", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      const { email } = parseInput(forgotPasswordSchema, body);
      if (!(await passwordsEnabled(db))) throw new AppError("auth.password_disabled");
      await takePublicHit(db, "password-forgot", publicSource(request), FORGOT_LIMITS);
      // Beyond three an hour the answer stays the same and nothing is sent: a stranger cannot flood a mailbox.
      if ((await countHit(db, "password-forgot-account", email, MAILS_PER_ACCOUNT)) <= MAILS_PER_ACCOUNT.max) {
        await requestPasswordReset(db, email, deps.config.baseUrl);
      }
      return reply.redirect("/password/forgot/sent", 303);
    } catch (error) {
      const email = typeof body.email === "string" ? body.email : "";
      const { form, status } = refusedForm(error, { email });
      return sendPage(reply, request, { ...forgotPage, children: <ForgotView form={form} csrf={request.csrfToken} /> }, status);
    }
  });

  app.get("/password/forgot/sent", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, request, { title: "Vérifiez votre messagerie", children: <ForgotSentView /> }),
  );

  app.get("/password/reset", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    // The token is in the address: no other site may learn it from a Referer.
    reply.header("referrer-policy", "no-referrer");
    const token = z.object({ token: z.string().max(100) }).safeParse(request.query);
    if (!token.success || !(await resetTokenValid(db, token.data.token))) {
      const message = new AppError("auth.reset_invalid").message;
      return sendPage(reply, request, { title: "Lien expiré", children: <ResetInvalidView message={message} /> }, 400);
    }
    return sendPage(reply, request, {
      ...resetPage,
      children: <ResetView form={emptyForm()} csrf={request.csrfToken} token={token.data.token} />,
    });
  });

  app.post("/password/reset", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    reply.header("referrer-policy", "no-referrer");
    const body = (request.body ?? {}) as Record<string, unknown>;
    const token = typeof body.token === "string" ? body.token : "";
    try {
      const input = parseInput(chooseNewPasswordSchema, body);
      await completePasswordReset(db, input.token, input.password);
      return reply.redirect("/login?ok=password.reset", 303);
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (error.code === "auth.reset_invalid" || error.fields?.token) {
        const message = new AppError("auth.reset_invalid").message;
        return sendPage(reply, request, { title: "Lien expiré", children: <ResetInvalidView message={message} /> }, 400);
      }
      const { form, status } = refusedForm(error, {});
      return sendPage(reply, request, { ...resetPage, children: <ResetView form={form} csrf={request.csrfToken} token={token} /> }, status);
    }
  });
}
