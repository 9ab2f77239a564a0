import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf, anywhere, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { canSomewhere } from "../../kernel/roles.ts";
import { INSTANCE_TIME_ZONE } from "../../kernel/time.ts";
import { parseInput } from "../../kernel/validation.ts";
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

  // One query per staff page, over the partial index of unsent rows, for whoever reads requests: an
  // administrator counts the instance, a correspondent or agent the subtrees they work on.
  app.addHook("preHandler", async (request) => {
    if (!wantsBanner(request) || !request.actor) return;
    const actor = request.actor;
    const handlesMail = actor.instanceAdmin || canSomewhere(actor, "request.read");
    const health = handlesMail ? await mailHealth(db, actor) : { configured: mailConfigured(), failed: 0, queued: 0 };
    request.pageNotice = MailBanner({ health, canList: handlesMail }) ?? undefined;
  });

  app.get("/mail", { config: { access: anywhere("request.read") }, schema: { hide: true } }, async (request, reply) => {
    const actor = actorOf(request);
    const [messages, health] = await Promise.all([listUnsent(db, actor), mailHealth(db, actor)]);
    return sendPage(reply, request, {
      title: "Courriels non envoyés",
      breadcrumbs: actor.instanceAdmin
        ? [{ label: "Administration" }, { label: "Courriels non envoyés" }]
        : [{ label: "Courriels non envoyés" }],
      children: (
        <UnsentMailPage
          messages={messages}
          health={health}
          csrf={request.csrfToken}
          timeZone={INSTANCE_TIME_ZONE}
          admin={actor.instanceAdmin}
          canRetry={actor.instanceAdmin || canSomewhere(actor, "request.write")}
        />
      ),
    });
  });

  app.post("/mail/retry-failed", { config: { access: anywhere("request.write") }, schema: { hide: true } }, async (request, reply) => {
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
