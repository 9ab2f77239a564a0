import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { actorOf } from "../../kernel/access.ts";
import { AppError } from "../../kernel/errors.ts";
import { can } from "../../kernel/roles.ts";
import { todayOfRequest } from "../../kernel/time.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { organisationCommitments } from "../frameworks/frameworks.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { listStaff, listSubtreeIncidents, listSubtreeStaff, trainingTable } from "./staff.service.ts";
import { IncidentsPage, StaffPage } from "./staff.views.tsx";

/** The staff page, with the state of its two forms. */
export async function staffPage(
  db: Kysely<DB>,
  request: FastifyRequest,
  orgId: string,
  forms: { staff?: FormState; training?: FormState },
): Promise<PageOptions> {
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
        table={await trainingTable(db, orgId, todayOfRequest(request))}
        canManage={can(actorOf(request), "commitment.manage", org.path)}
        staffForm={forms.staff ?? emptyForm()}
        trainingForm={forms.training ?? emptyForm({ completedOn: todayOfRequest(request) })}
        csrf={request.csrfToken}
      />
    ),
  };
}

/** The incident reports page, with the filing form and the triage form of one report. */
export async function incidentsPage(
  db: Kysely<DB>,
  request: FastifyRequest,
  orgId: string,
  form: FormState,
  triage: { id: string; form: FormState } | null = null,
) {
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
}
