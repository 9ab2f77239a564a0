import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { can } from "../../kernel/roles.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { listFrameworks, organisationCommitments } from "./frameworks.service.ts";
import { OrganisationCommitmentsPage } from "./frameworks.views.tsx";

/** The organisation's commitments, with the adoption form and the local commitment form (the one that failed, if any). */
export async function orgPage(
  db: Kysely<DB>,
  request: FastifyRequest,
  orgId: string,
  failed?: { which: "adopt" | "local"; form: FormState },
) {
  const org = await getOrganisation(db, orgId);
  const [data, frameworks] = await Promise.all([organisationCommitments(db, orgId), listFrameworks(db)]);
  const ownAdoption = data.framework && data.framework.adoptedBy === orgId ? data.framework.id : undefined;
  const canManage = request.actor !== undefined && can(request.actor, "commitment.manage", org.path);
  return {
    title: `Engagements — ${org.name}`,
    breadcrumbs: [
      { label: "Organisations", href: "/organisations" },
      { label: org.name, href: `/organisations/${org.id}` },
      { label: "Engagements" },
    ],
    children: (
      <OrganisationCommitmentsPage
        orgId={org.id}
        orgName={org.name}
        data={data}
        frameworks={frameworks}
        canManage={canManage}
        csrf={request.csrfToken}
        adoptForm={failed?.which === "adopt" ? failed.form : emptyForm({ frameworkId: ownAdoption })}
        localForm={failed?.which === "local" ? failed.form : emptyForm({ unit: "working_days" })}
      />
    ),
  };
}
