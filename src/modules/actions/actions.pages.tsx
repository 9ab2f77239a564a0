import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { actorOf } from "../../kernel/access.ts";
import { can } from "../../kernel/roles.ts";
import { todayOfRequest } from "../../kernel/time.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { campaignDetails, listCampaigns } from "../assessments/assessments.service.ts";
import { organisationCommitments } from "../frameworks/frameworks.service.ts";
import { allIndicators } from "../indicators/sources.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import type { importPlan } from "./actions.import.ts";
import { listQuerySchema, suggestionQuerySchema } from "./actions.schema.ts";
import { actionHistory, getAction, listPlan, listPlanPage, planCounts, suggestFor, weakChannels } from "./actions.service.ts";
import { ActionPage, type CommitmentOption, ImportPage, NewAction, PlanBoard, PlanList, SuggestionsPage } from "./actions.views.tsx";

export const actionsBase = (orgId: string) => `/organisations/${orgId}/actions`;

/** The organisation's commitments as choices, and a function naming any commitment id. */
async function commitmentsOf(db: Kysely<DB>, orgId: string) {
  const { commitments } = await organisationCommitments(db, orgId);
  const options: CommitmentOption[] = commitments.map((c) => ({
    value: c.id,
    label: `${c.number === null ? "Local" : c.number} — ${c.title.length > 70 ? `${c.title.slice(0, 70)}…` : c.title}`,
  }));
  const label = (id: string | null) => (id === null ? "Sans engagement" : (options.find((o) => o.value === id)?.label ?? id));
  return { options, label };
}

async function page(
  db: Kysely<DB>,
  request: FastifyRequest,
  orgId: string,
  title: string,
  children: (org: Awaited<ReturnType<typeof getOrganisation>>, canManage: boolean) => Promise<PageOptions["children"]>,
) {
  const org = await getOrganisation(db, orgId);
  const canManage = can(actorOf(request), "commitment.manage", org.path);
  return {
    title: `${title} — ${org.name}`,
    breadcrumbs: [
      { label: org.name, href: `/organisations/${orgId}` },
      { label: "Plan d'actions", href: actionsBase(orgId) },
      { label: title },
    ],
    children: await children(org, canManage),
  } satisfies PageOptions;
}

export async function listPage(db: Kysely<DB>, request: FastifyRequest, orgId: string, form: FormState) {
  const query = listQuerySchema.parse(request.query ?? {});
  const today = todayOfRequest(request);
  return page(db, request, orgId, "Liste des actions", async (org, canManage) => {
    const [{ actions, total, next }, counts, commitments] = await Promise.all([
      listPlanPage(
        db,
        orgId,
        {
          status: query.status,
          commitmentId: query.commitment,
          channel: query.channel,
          owner: query.owner,
          planYear: query.year,
          q: query.q,
          overdueOn: query.overdue ? today : undefined,
          siteName: query.site,
        },
        query.after,
      ),
      planCounts(db, orgId, query.year),
      commitmentsOf(db, orgId),
    ]);
    return (
      <PlanList
        orgId={orgId}
        orgName={org.name}
        actions={actions}
        total={total}
        next={next}
        counts={counts}
        query={query}
        commitments={commitments.options}
        commitmentLabel={commitments.label}
        today={today}
        canManage={canManage}
        form={form}
        csrf={request.csrfToken}
      />
    );
  });
}

export function boardPage(db: Kysely<DB>, request: FastifyRequest, orgId: string) {
  const today = todayOfRequest(request);
  return page(db, request, orgId, "Tableau des actions", async (org, canManage) => {
    const [actions, commitments] = await Promise.all([listPlan(db, orgId, {}), commitmentsOf(db, orgId)]);
    return (
      <PlanBoard
        orgId={orgId}
        orgName={org.name}
        actions={actions}
        commitmentLabel={commitments.label}
        today={today}
        canManage={canManage}
        csrf={request.csrfToken}
      />
    );
  });
}

export async function newPage(db: Kysely<DB>, request: FastifyRequest, orgId: string, form: FormState) {
  return page(db, request, orgId, "Nouvelle action", async (org) => (
    <NewAction
      orgId={orgId}
      orgName={org.name}
      form={form}
      commitments={(await commitmentsOf(db, orgId)).options}
      csrf={request.csrfToken}
    />
  ));
}

export async function suggestionsPage(db: Kysely<DB>, request: FastifyRequest, orgId: string, form: FormState) {
  const { assessment } = suggestionQuerySchema.parse(request.query ?? {});
  return page(db, request, orgId, "Leviers suggérés", async (org, canManage) => {
    const campaigns = await listCampaigns(db, orgId);
    const campaign = campaigns.find((c) => c.id === assessment) ?? campaigns[0];
    const details = campaign ? await campaignDetails(db, orgId, campaign.id) : undefined;
    const year = campaign?.year ?? new Date().getFullYear();
    const indicators = await allIndicators(db, orgId, { from: `${year}-01-01`, to: `${year}-12-31` });
    const suggestions = await suggestFor(
      db,
      (details?.commitments ?? []).filter((c) => c.number !== null).map((c) => ({ id: c.id, title: c.title, score: c.score.score })),
      weakChannels(indicators),
    );
    const existing = (await listPlan(db, orgId, {})).filter((a) => a.orgId === orgId && a.leverId).map((a) => a.leverId ?? "");
    const values = { planYear: String(year + 1), ...form.values };
    return (
      <SuggestionsPage
        orgId={orgId}
        orgName={org.name}
        suggestions={suggestions}
        assessmentYear={campaign?.year ?? null}
        existingLevers={existing}
        form={{ values, errors: form.errors }}
        canManage={canManage}
        csrf={request.csrfToken}
      />
    );
  });
}

export async function importPage(
  db: Kysely<DB>,
  request: FastifyRequest,
  orgId: string,
  extra: { report?: Awaited<ReturnType<typeof importPlan>>; error?: string },
) {
  return page(db, request, orgId, "Import et export", async (org) => (
    <ImportPage orgId={orgId} orgName={org.name} csrf={request.csrfToken} {...extra} />
  ));
}

export async function actionPage(db: Kysely<DB>, request: FastifyRequest, orgId: string, actionId: string, form: FormState | null) {
  const action = await getAction(db, orgId, actionId);
  return page(db, request, orgId, `Action ${action.number}`, async (_org, canManage) => {
    const values = {
      title: action.title,
      commitmentId: action.commitmentId ?? "",
      channel: action.channel ?? "",
      owner: action.owner ?? "",
      service: action.service ?? "",
      dueOn: action.dueOn ?? "",
      planYear: String(action.planYear),
      status: action.status,
    };
    return (
      <ActionPage
        orgId={orgId}
        action={action}
        history={await actionHistory(db, orgId, actionId)}
        form={form ?? emptyForm(values)}
        commitments={(await commitmentsOf(db, orgId)).options}
        canManage={canManage}
        csrf={request.csrfToken}
      />
    );
  });
}
