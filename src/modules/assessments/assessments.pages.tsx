import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { actorOf } from "../../kernel/access.ts";
import { AppError } from "../../kernel/errors.ts";
import { can } from "../../kernel/roles.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { allIndicators } from "../indicators/sources.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { campaignDetails, listSubtreeCampaigns } from "./assessments.service.ts";
import { CampaignList, CampaignOverview, CommitmentPage, commitmentLabel } from "./assessments.views.tsx";

export const assessmentsBase = (orgId: string) => `/organisations/${orgId}/assessments`;

async function crumbs(db: Kysely<DB>, orgId: string, last: Array<{ label: string; href?: string }>) {
  const org = await getOrganisation(db, orgId);
  return {
    org,
    breadcrumbs: [
      { label: org.name, href: `/organisations/${orgId}` },
      { label: "Auto-évaluations", href: assessmentsBase(orgId) },
      ...last,
    ],
  };
}

export async function listPage(db: Kysely<DB>, request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> {
  const { org, breadcrumbs } = await crumbs(db, orgId, []);
  const query = (request.query ?? {}) as Record<string, unknown>;
  const text = (v: unknown, max: number) => (typeof v === "string" && v.trim() ? v.trim().slice(0, max) : undefined);
  const site = text(query.site, 200);
  // A page link edited by hand is refused by the service with a French message (400), never a 500.
  const after = text(query.after, 400);
  const list = await listSubtreeCampaigns(db, orgId, { site, after });
  return {
    title: `Auto-évaluations — ${org.name}`,
    breadcrumbs: breadcrumbs.slice(0, 1).concat({ label: "Auto-évaluations" }),
    children: (
      <CampaignList
        orgId={orgId}
        orgName={org.name}
        campaigns={list.campaigns}
        total={list.total}
        next={list.next}
        site={site}
        after={after}
        canManage={can(actorOf(request), "commitment.manage", org.path)}
        form={form.values.year !== undefined ? form : emptyForm({ year: String(new Date().getFullYear()) })}
        csrf={request.csrfToken}
      />
    ),
  };
}

export async function overviewPage(
  db: Kysely<DB>,
  request: FastifyRequest,
  orgId: string,
  id: string,
  form: FormState,
): Promise<PageOptions> {
  const details = await campaignDetails(db, orgId, id);
  const { org, breadcrumbs } = await crumbs(db, orgId, [{ label: String(details.campaign.year) }]);
  return {
    title: `Auto-évaluation ${details.campaign.year} — ${org.name}`,
    breadcrumbs,
    children: (
      <CampaignOverview
        orgId={orgId}
        details={details}
        canManage={can(actorOf(request), "commitment.manage", org.path)}
        form={form}
        csrf={request.csrfToken}
      />
    ),
  };
}

export async function commitmentPage(
  db: Kysely<DB>,
  request: FastifyRequest,
  orgId: string,
  id: string,
  index: number,
  form: FormState,
  uploadError?: string,
): Promise<PageOptions> {
  const details = await campaignDetails(db, orgId, id);
  const commitment = details.commitments.find((c) => c.index === index);
  if (!commitment) throw new AppError("assessment.not_found");
  const year = details.campaign.year;
  const indicators = (await allIndicators(db, orgId, { from: `${year}-01-01`, to: `${year}-12-31` })).filter(
    (i) => i.commitments.includes(commitment.id) && !i.key.startsWith("assessments."),
  );
  const { org, breadcrumbs } = await crumbs(db, orgId, [
    { label: String(year), href: `${assessmentsBase(orgId)}/${id}` },
    { label: commitment.number === null ? "Engagement local" : `Engagement ${commitment.number}` },
  ]);
  return {
    title: `${commitmentLabel(commitment)} — auto-évaluation ${year} — ${org.name}`,
    breadcrumbs,
    children: (
      <CommitmentPage
        orgId={orgId}
        campaign={details.campaign}
        commitment={commitment}
        count={details.commitments.length}
        indicators={indicators}
        evidence={details.evidence}
        canManage={can(actorOf(request), "commitment.manage", org.path)}
        form={form}
        uploadError={uploadError}
        csrf={request.csrfToken}
      />
    ),
  };
}
