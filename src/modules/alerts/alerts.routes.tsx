import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { actorOf, onOrg, SESSION } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { formRoute, handleForm } from "../../kernel/forms.ts";
import { parseInput } from "../../kernel/validation.ts";
import type { FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import {
  ALERT_KINDS,
  configureAlertLinks,
  markNotificationsRead,
  myAlertPreferences,
  myNotifications,
  orgAlertSettings,
  saveMyAlertPreferences,
  saveOrgAlertSettings,
  unreadCount,
} from "./alerts.service.ts";
import { MyAlertsPage, NotificationsPage, OrgAlertsPage } from "./alerts.views.tsx";

const orgParams = z.object({ orgId: z.string().uuid() });
const notificationParams = z.object({ notificationId: z.string().uuid() });
const DAYS_MESSAGE = "Indiquez un nombre entier de jours ouvrés, de 1 à 30.";

/** Staff pages drawn with the header: not the API, the assets nor the public's pages. */
function wantsCount(request: FastifyRequest): boolean {
  if (request.method !== "GET" || !request.actor) return false;
  const path = request.url.split("?")[0] ?? "/";
  return !/^\/(api|assets|public|track|s|kiosk)(\/|$)/.test(path);
}

/** Alerts (issue #15, point 3): the notifications list, the person's choices, the organisation's settings. */
export async function alertsRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  configureAlertLinks(deps.config.baseUrl);

  // One indexed count per staff page (partial index of unread rows), for the header's « Notifications (n) ».
  app.addHook("preHandler", async (request) => {
    if (!wantsCount(request) || !request.actor || request.actor.token) return;
    request.unreadAlerts = await unreadCount(db, request.actor);
  });

  notificationRoutes(app, deps);
  myAlertRoutes(app, deps);
  orgAlertRoutes(app, deps);
}

/** The person's notifications, and marking them read. */
function notificationRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get("/notifications", { config: { access: SESSION }, schema: { hide: true } }, async (request, reply) => {
    const actor = actorOf(request);
    const [items, unread] = await Promise.all([myNotifications(db, actor), unreadCount(db, actor)]);
    return sendPage(reply, request, {
      title: "Notifications",
      breadcrumbs: [{ label: "Notifications" }],
      children: <NotificationsPage items={items} unread={unread} csrf={request.csrfToken} />,
    });
  });

  app.post("/notifications/read-all", { config: { access: SESSION }, schema: { hide: true } }, async (request, reply) => {
    await markNotificationsRead(db, actorOf(request), null);
    return reply.redirect("/notifications?ok=notifications.read", 303);
  });

  app.post("/notifications/:notificationId/read", { config: { access: SESSION }, schema: { hide: true } }, async (request, reply) => {
    const { notificationId } = parseInput(notificationParams, request.params);
    // Another person's notification, or an unknown one, matches nothing: the same answer, nothing told.
    const done = await markNotificationsRead(db, actorOf(request), notificationId);
    if (!done) throw new AppError("notification.not_found");
    return reply.redirect("/notifications?ok=notification.read", 303);
  });
}

/** The person's choice of alerts (« Mon compte »). */
function myAlertRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  const myPage = (form: FormState, csrf: string): PageOptions => ({
    title: "Mes alertes",
    breadcrumbs: [{ label: "Mon compte", href: "/compte" }, { label: "Alertes" }],
    children: <MyAlertsPage form={form} csrf={csrf} />,
  });

  app.get("/compte/alertes", { config: { access: SESSION }, schema: { hide: true } }, async (request, reply) => {
    const prefs = await myAlertPreferences(db, actorOf(request));
    return sendPage(reply, request, myPage({ values: { ...prefs }, errors: {} }, request.csrfToken));
  });

  app.post("/compte/alertes", { config: { access: SESSION }, schema: { hide: true } }, async (request, reply) =>
    handleForm(
      request,
      reply,
      async () => {
        await saveMyAlertPreferences(db, actorOf(request), (request.body ?? {}) as Record<string, unknown>);
        return "/compte/alertes?ok=alerts.preferences";
      },
      (form) => myPage(form, request.csrfToken),
    ),
  );
}

/** An organisation's alert settings: the deadline's warning and the kinds sent. */
function orgAlertRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  const access = onOrg("org.update");
  const orgPage = async (orgId: string, form: FormState, csrf: string): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    return {
      title: `Alertes — ${org.name}`,
      breadcrumbs: [
        { label: "Organisations", href: "/organisations" },
        { label: org.name, href: `/organisations/${org.id}` },
        { label: "Alertes" },
      ],
      children: <OrgAlertsPage orgId={org.id} orgName={org.name} form={form} csrf={csrf} />,
    };
  };

  app.get("/organisations/:orgId/alerts", { config: { access }, schema: { hide: true } }, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    const settings = await orgAlertSettings(db, orgId);
    const values: Record<string, string> = { deadlineDays: String(settings.deadlineDays) };
    for (const kind of settings.enabled) values[`kind_${kind}`] = "true";
    return sendPage(reply, request, await orgPage(orgId, { values, errors: {} }, request.csrfToken));
  });

  formRoute(app, {
    url: "/organisations/:orgId/alerts",
    access,
    params: orgParams,
    run: async ({ request, params: { orgId } }) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const raw = typeof body.deadlineDays === "string" ? body.deadlineDays.trim() : "";
      const n = /^\d{1,2}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(n >= 1 && n <= 30)) throw new AppError("validation", { fields: { deadlineDays: DAYS_MESSAGE } });
      const enabled = ALERT_KINDS.filter((k) => body[`kind_${k}`] !== undefined);
      await saveOrgAlertSettings(db, actorOf(request), orgId, { deadlineDays: n, enabled });
      return `/organisations/${orgId}/alerts?ok=alerts.saved`;
    },
    page: (form, { request, params: { orgId } }) => orgPage(orgId, form, request.csrfToken),
  });
}
