import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf, INSTANCE_ADMIN, onOrg } from "../../app/access.ts";
import type { App, AppDeps } from "../../app/context.ts";
import { parseInput } from "../../app/validation.ts";
import { sendPage } from "../../ui/page.tsx";
import { listUnsent, mailConfigured, mailHealth, retryAllFailed, retryMessage } from "./mail.service.ts";
import { MailBanner, UnsentMailPage } from "./mail.views.tsx";

const retryParams = z.object({ orgId: z.guid(), outboxId: z.guid() });
// Only a path of this site: the button never sends anyone elsewhere.
const retryBody = z.object({
  back: z
    .string()
    .max(500)
    .regex(/^\/(?!\/)[^\\#]*$/)
    .optional()
    .catch(undefined),
});

/** Pages of the public and the API never carry the banner; staff pages do. */
function wantsBanner(request: FastifyRequest): boolean {
  if (request.method !== "GET" || !request.actor) return false;
  const path = request.url.split("?")[0] ?? "/";
  return !/^\/(api|assets|public|track|s|kiosk)(\/|$)/.test(path);
}

/**
 * E-mail for staff: the banner on staff pages while mail does not leave, the page listing the unsent
 * messages, and « Renvoyer ».
 */
export async function mailRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  // One query per staff page for an administrator, none for anyone else (the SMTP setting is in memory).
  app.addHook("preHandler", async (request) => {
    if (!wantsBanner(request) || !request.actor) return;
    const admin = request.actor.instanceAdmin;
    if (!admin && mailConfigured()) return;
    const health = admin ? await mailHealth(db) : { configured: false, failed: 0, queued: 0 };
    request.pageNotice = MailBanner({ health, admin }) ?? undefined;
  });

  app.get("/mail", { config: { access: INSTANCE_ADMIN }, schema: { hide: true } }, async (request, reply) => {
    const [messages, health] = await Promise.all([listUnsent(db), mailHealth(db)]);
    return sendPage(reply, request, {
      title: "Courriels non envoyés",
      breadcrumbs: [{ label: "Administration" }, { label: "Courriels non envoyés" }],
      children: <UnsentMailPage messages={messages} health={health} csrf={request.csrfToken} timeZone="Europe/Paris" />,
    });
  });

  app.post("/mail/retry-failed", { config: { access: INSTANCE_ADMIN }, schema: { hide: true } }, async (request, reply) => {
    await retryAllFailed(db, actorOf(request));
    return reply.redirect("/mail?ok=mail.retried_all", 303);
  });

  app.post(
    "/organisations/:orgId/mail/:outboxId/retry",
    { config: { access: onOrg("request.write") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, outboxId } = parseInput(retryParams, request.params);
      const { back } = parseInput(retryBody, request.body ?? {});
      const state = await retryMessage(db, actorOf(request), orgId, outboxId);
      const fallback = state.requestId ? `/organisations/${orgId}/requests/${state.requestId}` : `/organisations/${orgId}`;
      const target = back ?? fallback;
      return reply.redirect(`${target}${target.includes("?") ? "&" : "?"}ok=mail.retried`, 303);
    },
  );
}
