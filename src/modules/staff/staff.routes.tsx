import type { FastifyRequest } from "fastify";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { submittedValues } from "../../kernel/forms.ts";
import { can } from "../../kernel/roles.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { organisationCommitments } from "../frameworks/frameworks.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
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
import {
  addStaff,
  addTraining,
  fileIncident,
  listStaff,
  listSubtreeIncidents,
  listSubtreeStaff,
  setStaffActive,
  trainingTable,
  triageIncident,
} from "./staff.service.ts";
import { IncidentsPage, StaffPage } from "./staff.views.tsx";

const isFormError = (error: unknown): error is AppError => error instanceof AppError && error.status < 500 && error.status !== 404;
const formOf = (request: FastifyRequest, error: AppError): FormState => ({
  values: submittedValues(request.body),
  errors: error.fields ?? { _: error.message },
});
const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());

/**
 * Staff and their trainings (referent, correspondent, admin manage them; everyone reads), and incident
 * reports: filed by whoever handles the public (request.write: agents, referents, admins — the auditor
 * and the network correspondent do not serve the public), triaged by the referent (commitment.manage).
 */
export async function staffRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };
  const manage = { config: { access: onOrg("commitment.manage") }, schema: { hide: true } };
  const file = { config: { access: onOrg("request.write") }, schema: { hide: true } };

  const staffPage = async (
    request: FastifyRequest,
    orgId: string,
    forms: { staff?: FormState; training?: FormState },
  ): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim().slice(0, 400) : undefined);
    const site = text(query.site)?.slice(0, 200);
    let after = text(query.after);
    let pageError: string | undefined;
    let list: Awaited<ReturnType<typeof listSubtreeStaff>>;
    try {
      list = await listSubtreeStaff(db, orgId, { site, after });
    } catch (error) {
      // A page link edited by hand: say so, and show the first page.
      if (!(error instanceof AppError) || error.code !== "validation") throw error;
      pageError = error.fields?.after ?? error.message;
      after = undefined;
      list = await listSubtreeStaff(db, orgId, { site });
    }
    return {
      title: `Agents et formations — ${org.name}`,
      breadcrumbs: [{ label: org.name, href: `/organisations/${orgId}` }, { label: "Agents et formations" }],
      children: (
        <StaffPage
          orgId={orgId}
          orgName={org.name}
          staff={await listStaff(db, orgId)}
          list={list}
          site={site}
          after={after}
          pageError={pageError}
          table={await trainingTable(db, orgId, today())}
          canManage={can(actorOf(request), "commitment.manage", org.path)}
          staffForm={forms.staff ?? emptyForm()}
          trainingForm={forms.training ?? emptyForm({ completedOn: today() })}
          csrf={request.csrfToken}
        />
      ),
    };
  };

  app.get("/organisations/:orgId/staff", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await staffPage(request, orgId, {}));
  });

  app.post("/organisations/:orgId/staff", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      await addStaff(db, actorOf(request), orgId, parseInput(staffCreateSchema, request.body));
      return reply.redirect(`/organisations/${orgId}/staff?ok=staff.added`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(reply, request, await staffPage(request, orgId, { staff: formOf(request, error) }), error.status);
    }
  });

  app.post("/organisations/:orgId/staff/trainings", manage, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      await addTraining(db, actorOf(request), orgId, parseInput(trainingSchema, request.body));
      return reply.redirect(`/organisations/${orgId}/staff?ok=staff.training`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(reply, request, await staffPage(request, orgId, { training: formOf(request, error) }), error.status);
    }
  });

  app.post("/organisations/:orgId/staff/:staffId/active", manage, async (request, reply) => {
    const { orgId, staffId } = parseInput(staffParams, request.params);
    try {
      await setStaffActive(db, actorOf(request), orgId, staffId, parseInput(activeSchema, request.body));
      return reply.redirect(`/organisations/${orgId}/staff?ok=staff.updated`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(
        reply,
        request,
        await staffPage(request, orgId, { staff: formOf(request, error) }),
        error.status === 400 ? 409 : error.status,
      );
    }
  });

  const incidentsPage = async (
    request: FastifyRequest,
    orgId: string,
    form: FormState,
    triage: { id: string; form: FormState } | null = null,
  ) => {
    const org = await getOrganisation(db, orgId);
    const actor = actorOf(request);
    const { commitments } = await organisationCommitments(db, orgId);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim().slice(0, 400) : undefined);
    const site = text(query.site)?.slice(0, 200);
    let after = text(query.after);
    let pageError: string | undefined;
    let list: Awaited<ReturnType<typeof listSubtreeIncidents>>;
    try {
      list = await listSubtreeIncidents(db, orgId, { site, after });
    } catch (error) {
      // A page link edited by hand: say so, and show the first page.
      if (!(error instanceof AppError) || error.code !== "validation") throw error;
      pageError = error.fields?.after ?? error.message;
      after = undefined;
      list = await listSubtreeIncidents(db, orgId, { site });
    }
    return {
      title: `Dysfonctionnements — ${org.name}`,
      breadcrumbs: [{ label: org.name, href: `/organisations/${orgId}` }, { label: "Dysfonctionnements" }],
      children: (
        <IncidentsPage
          orgId={orgId}
          orgName={org.name}
          list={list}
          site={site}
          after={after}
          pageError={pageError}
          canFile={can(actor, "request.write", org.path)}
          canTriage={can(actor, "commitment.manage", org.path)}
          commitments={commitments.map((c) => ({ value: c.id, label: `${c.number ?? "Local"} — ${c.title.slice(0, 70)}` }))}
          form={form}
          triageErrors={triage}
          csrf={request.csrfToken}
        />
      ),
    } satisfies PageOptions;
  };

  app.get("/organisations/:orgId/incidents", read, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    return sendPage(reply, request, await incidentsPage(request, orgId, emptyForm({ occurredOn: today() })));
  });

  app.post("/organisations/:orgId/incidents", file, async (request, reply) => {
    const { orgId } = parseInput(orgParams, request.params);
    try {
      await fileIncident(db, actorOf(request), orgId, parseInput(incidentSchema, request.body));
      return reply.redirect(`/organisations/${orgId}/incidents?ok=incident.filed`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(reply, request, await incidentsPage(request, orgId, formOf(request, error)), error.status);
    }
  });

  app.post("/organisations/:orgId/incidents/:incidentId/triage", manage, async (request, reply) => {
    const { orgId, incidentId } = parseInput(incidentParams, request.params);
    try {
      const actionId = await triageIncident(db, actorOf(request), orgId, incidentId, parseInput(triageSchema, request.body));
      return reply.redirect(
        actionId
          ? `/organisations/${orgId}/actions/${actionId}?ok=incident.action`
          : `/organisations/${orgId}/incidents?ok=incident.dismissed`,
        303,
      );
    } catch (error) {
      if (!isFormError(error)) throw error;
      return sendPage(
        reply,
        request,
        await incidentsPage(request, orgId, emptyForm({ occurredOn: today() }), { id: incidentId, form: formOf(request, error) }),
        error.status,
      );
    }
  });
}
