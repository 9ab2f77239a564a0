import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { formRoute } from "../../kernel/forms.ts";
import { todayOfRequest } from "../../kernel/time.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { incidentsPage, staffPage } from "./staff.pages.tsx";
import {
  activeSchema,
  incidentParams,
  incidentSchema,
  orgParams,
  staffCreateSchema,
  staffParams,
  trainingSchema,
  triageSchema,
} from "./staff.schema.ts";
import { addStaff, addTraining, fileIncident, setStaffActive, triageIncident } from "./staff.service.ts";

/**
 * Staff and their trainings (referent, correspondent, admin manage them; everyone reads), and incident
 * reports: filed by whoever handles the public (request.write: agents, referents, admins — the auditor
 * and the network correspondent do not serve the public), triaged by the referent (commitment.manage).
 */
export async function staffRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };
  const manage = onOrg("commitment.manage");

  app.get("/organisations/:orgId/staff", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await staffPage(db, request, orgId, {}));
  });

  formRoute(app, {
    url: "/organisations/:orgId/staff",
    access: manage,
    params: orgParams,
    body: staffCreateSchema,
    run: async ({ request, params: { orgId }, body }) => {
      await addStaff(db, actorOf(request), orgId, body);
      return `/organisations/${orgId}/staff?ok=staff.added`;
    },
    page: (form, { request, params }) => staffPage(db, request, params.orgId, { staff: form }),
  });

  formRoute(app, {
    url: "/organisations/:orgId/staff/trainings",
    access: manage,
    params: orgParams,
    body: trainingSchema,
    run: async ({ request, params: { orgId }, body }) => {
      await addTraining(db, actorOf(request), orgId, body);
      return `/organisations/${orgId}/staff?ok=staff.training`;
    },
    page: (form, { request, params }) => staffPage(db, request, params.orgId, { training: form }),
  });

  formRoute(app, {
    url: "/organisations/:orgId/staff/:staffId/active",
    access: manage,
    params: staffParams,
    body: activeSchema,
    run: async ({ request, params: { orgId, staffId }, body }) => {
      await setStaffActive(db, actorOf(request), orgId, staffId, body);
      return `/organisations/${orgId}/staff?ok=staff.updated`;
    },
    page: (form, { request, params }) => staffPage(db, request, params.orgId, { staff: form }),
  });

  app.get("/organisations/:orgId/incidents", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await incidentsPage(db, request, orgId, emptyForm({ occurredOn: todayOfRequest(request) })));
  });

  formRoute(app, {
    url: "/organisations/:orgId/incidents",
    access: onOrg("request.write"),
    params: orgParams,
    body: incidentSchema,
    run: async ({ request, params: { orgId }, body }) => {
      await fileIncident(db, actorOf(request), orgId, body);
      return `/organisations/${orgId}/incidents?ok=incident.filed`;
    },
    page: (form, { request, params }) => incidentsPage(db, request, params.orgId, form),
  });

  formRoute(app, {
    url: "/organisations/:orgId/incidents/:incidentId/triage",
    access: manage,
    params: incidentParams,
    body: triageSchema,
    run: async ({ request, params: { orgId, incidentId }, body }) => {
      const actionId = await triageIncident(db, actorOf(request), orgId, incidentId, body);
      return actionId
        ? `/organisations/${orgId}/actions/${actionId}?ok=incident.action`
        : `/organisations/${orgId}/incidents?ok=incident.dismissed`;
    },
    page: (form, { request, params }) =>
      incidentsPage(db, request, params.orgId, emptyForm({ occurredOn: todayOfRequest(request) }), { id: params.incidentId, form }),
  });
}
