import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Actor } from "../../kernel/roles.ts";
import { createAction, getAction, planCounts } from "../actions/actions.service.ts";
import { listCampaigns } from "../assessments/assessments.service.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { publicationStatus } from "../publication/publication.service.ts";
import { trainingTable } from "../staff/staff.service.ts";
import { listSurveys, type Survey } from "../surveys/surveys.service.ts";
import { LABEL_AGENTS_TEMPLATE, LABEL_USERS_TEMPLATE } from "../surveys/templates.ts";
import * as repo from "./label.repository.ts";
import { type FindingInput, KIND_LABELS, type LabelFileInput } from "./label.schema.ts";

/** The label is awarded for 3 years (arrêté du 31 août 2023, as the DITP presents it). */
export const VALIDITY_YEARS = 3;

export interface LabelFile {
  candidacyOn: string | null;
  auditOn: string | null;
  body: string | null;
  level: string | null;
  certifiedOn: string | null;
  /** certifiedOn + 3 years, the day before. */
  validUntil: string | null;
  followUpOn: string | null;
}

export interface Finding {
  id: string;
  kind: "non_conformity" | "remark";
  text: string;
  dueOn: string;
  action: { id: string; number: number; status: string; title: string } | null;
}

export type EvidenceState = "present" | "missing" | "out_of_date";
export interface ChecklistItem {
  key: string;
  label: string;
  state: EvidenceState;
  detail: string;
  href: string;
  /** The template the correspondent can create the missing survey from, when none exists yet. */
  createFrom?: string;
}

function addYears(date: string, years: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

export async function labelFile(db: Kysely<DB>, orgId: string): Promise<LabelFile> {
  const row = await repo.findFile(db, orgId);
  return {
    candidacyOn: row?.candidacy_on ?? null,
    auditOn: row?.audit_on ?? null,
    body: row?.body ?? null,
    level: row?.level ?? null,
    certifiedOn: row?.certified_on ?? null,
    validUntil: row?.certified_on ? addYears(row.certified_on, VALIDITY_YEARS) : null,
    followUpOn: row?.follow_up_on ?? null,
  };
}

export async function saveLabelFile(db: Kysely<DB>, actor: Actor, orgId: string, input: LabelFileInput): Promise<void> {
  await getOrganisation(db, orgId);
  const values = {
    candidacy_on: input.candidacyOn ?? null,
    audit_on: input.auditOn ?? null,
    body: input.body ?? null,
    level: input.level ?? null,
    certified_on: input.certifiedOn ?? null,
    follow_up_on: input.followUpOn ?? null,
  };
  await db.transaction().execute(async (trx) => {
    await repo.saveFile(trx, orgId, values);
    await recordAudit(trx, auditActor(actor), { orgId, action: "update", entity: "label_file", entityId: orgId, after: values });
  });
}

/**
 * Records an audit finding and puts it in the action plan with its deadline, through the actions
 * module: the finding is followed where every other action is.
 */
export async function addFinding(db: Kysely<DB>, actor: Actor, orgId: string, input: FindingInput): Promise<{ actionId: string }> {
  const { id } = await createAction(db, actor, orgId, {
    title: `Audit du label — ${KIND_LABELS[input.kind].toLowerCase()}\u00a0: ${input.text}`,
    dueOn: input.dueOn,
    planYear: Number(input.dueOn.slice(0, 4)),
  });
  await repo.insertFinding(db, { org_id: orgId, kind: input.kind, text: input.text, due_on: input.dueOn, action_id: id });
  return { actionId: id };
}

export async function findings(db: Kysely<DB>, orgId: string): Promise<Finding[]> {
  const rows = await repo.findingsOf(db, orgId);
  return Promise.all(
    rows.map(async (r) => {
      const action = await getAction(db, orgId, r.action_id).catch(() => null);
      return {
        id: r.id,
        kind: r.kind === "remark" ? "remark" : "non_conformity",
        text: r.text,
        dueOn: r.due_on,
        action: action ? { id: action.id, number: action.number, status: action.status, title: action.title } : null,
      } satisfies Finding;
    }),
  );
}

const MONTH = 30.5 * 24 * 3600 * 1000;

/**
 * What the audit asks the organisation to show, and what Vigie holds of it. « À mettre à jour » when
 * the evidence is older than the yearly rhythm the programme asks for (12 months).
 */
export async function checklist(db: Kysely<DB>, orgId: string, now = new Date()): Promise<ChecklistItem[]> {
  const org = await getOrganisation(db, orgId);
  const today = now.toISOString().slice(0, 10);
  const [publication, campaigns, plan, surveys, training] = await Promise.all([
    publicationStatus(db, org),
    listCampaigns(db, orgId),
    planCounts(db, orgId),
    listSurveys(db, orgId),
    trainingTable(db, orgId, today),
  ]);
  const base = `/organisations/${orgId}`;
  const year = now.getUTCFullYear();
  const latest = [...campaigns].sort((a, b) => b.year - a.year)[0];
  // The agents' survey says nothing of the users' satisfaction: it is its own piece.
  const users = surveys.filter((s) => s.template !== LABEL_AGENTS_TEMPLATE);
  const agents = surveys.filter((s) => s.template === LABEL_AGENTS_TEMPLATE);
  const trained = Object.values(training.total.trained).reduce((a, b) => a + b, 0);
  return [
    {
      key: "results",
      label: "Résultats de qualité de service publiés",
      state: !publication.publishedAt
        ? "missing"
        : now.getTime() - publication.publishedAt.getTime() > 12 * MONTH
          ? "out_of_date"
          : "present",
      detail: publication.publishedAt ? "Dernière publication enregistrée." : "Aucune publication.",
      href: `${base}/publication`,
    },
    {
      key: "assessment",
      label: "Auto-évaluation annuelle",
      state: !latest ? "missing" : latest.year < year - 1 ? "out_of_date" : "present",
      detail: latest ? `Dernière campagne\u00a0: ${latest.year}${latest.signedAt ? ", signée" : ", non signée"}.` : "Aucune campagne.",
      href: `${base}/assessments`,
    },
    {
      key: "plan",
      label: "Plan d'actions",
      state: plan.total ? "present" : "missing",
      detail: plan.total ? `${plan.total} action${plan.total > 1 ? "s" : ""} au plan.` : "Aucune action au plan.",
      href: `${base}/actions`,
    },
    surveyItem(now, base, "survey", "Enquête de satisfaction des usagers", users, LABEL_USERS_TEMPLATE),
    surveyItem(now, base, "agents", "Enquête auprès des agents", agents, LABEL_AGENTS_TEMPLATE),
    {
      key: "training",
      label: "Formation des agents",
      state: trained ? "present" : "missing",
      detail: training.total.staff
        ? `${training.total.staff} agent${training.total.staff > 1 ? "s" : ""} actif${training.total.staff > 1 ? "s" : ""}, ${trained} formation${trained > 1 ? "s" : ""} enregistrée${trained > 1 ? "s" : ""}.`
        : "Aucun agent enregistré.",
      href: `${base}/staff`,
    },
  ];
}

/**
 * A survey piece: present once a survey has answers (the latest one answered), out of date after
 * 12 months; while none exists, the correspondent is offered to create it from the label's template.
 */
function surveyItem(now: Date, base: string, key: string, label: string, surveys: Survey[], template: string): ChecklistItem {
  const newest = (list: Survey[]) => [...list].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  const answered = newest(surveys.filter((s) => s.responses > 0));
  if (answered) {
    return {
      key,
      label,
      state: now.getTime() - answered.createdAt.getTime() > 12 * MONTH ? "out_of_date" : "present",
      detail: `Enquête «\u00a0${answered.title}\u00a0»\u00a0: ${answered.responses} réponse${answered.responses > 1 ? "s" : ""}.`,
      href: `${base}/surveys/${answered.id}`,
    };
  }
  const waiting = newest(surveys);
  if (waiting) {
    return {
      key,
      label,
      state: "missing",
      detail: `Enquête «\u00a0${waiting.title}\u00a0» créée, encore sans réponse.`,
      href: `${base}/surveys/${waiting.id}/diffusion`,
    };
  }
  return { key, label, state: "missing", detail: "Aucune enquête.", href: `${base}/surveys`, createFrom: template };
}
