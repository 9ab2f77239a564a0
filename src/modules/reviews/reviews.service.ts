import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { BarChart } from "../../ui/charts.tsx";
import { ACTION_STATUS_LABELS, ACTION_STATUSES } from "../actions/action-status.ts";
import { type Action, listPlan, type PlanCounts, planCounts } from "../actions/actions.service.ts";
import { type CampaignDetails, campaignDetails, campaignOfYear } from "../assessments/assessments.service.ts";
import { describeTarget } from "../frameworks/channels.ts";
import { organisationCommitments } from "../frameworks/frameworks.service.ts";
import type { IndicatorValue } from "../indicators/indicator.ts";
import { allIndicators } from "../indicators/sources.ts";
import { getOrganisation, type Organisation } from "../organisations/organisations.service.ts";
import { type TrainingTable, trainingTable } from "../staff/staff.service.ts";
import { TRAINING_THEME_LABELS, TRAINING_THEMES } from "../staff/themes.ts";

/**
 * The annual review ("bilan annuel") of an organisation — a site or a whole network — for a year:
 * one data object, drawn by the web page and by the PDF alike, charts included (the same `BarChart`
 * values feed ECharts on the page and the PDF's own drawing).
 */
export interface ReviewCommitment {
  id: string;
  number: number | null;
  title: string;
  targets: string[];
  indicators: IndicatorValue[];
}

export interface ReviewSection {
  key: "surveys" | "complaints" | "phone" | "mystery" | "other";
  title: string;
  indicators: IndicatorValue[];
}

export interface Review {
  org: Organisation;
  year: number;
  period: { from: string; to: string };
  generatedAt: Date;
  framework: { id: string; name: string; edition: string } | null;
  commitments: ReviewCommitment[];
  sections: ReviewSection[];
  /** The site's own campaign of the year; for a network, the mean scores of its signed campaigns. */
  assessment: CampaignDetails | null;
  networkScores: IndicatorValue[];
  plan: PlanCounts;
  nextYear: Action[];
  nextYearCounts: PlanCounts;
  training: TrainingTable;
  charts: { assessment: BarChart | null; plan: BarChart | null; training: BarChart | null };
}

/** Which section a figure belongs to, by its module's key; sources not known yet go to "other". */
function sectionOf(i: IndicatorValue): ReviewSection["key"] | null {
  if (i.key.startsWith("surveys.")) return "surveys";
  if (i.key.startsWith("calls.") || i.key.startsWith("phone.") || i.key.startsWith("telephony.")) return "phone";
  if (i.key.startsWith("mystery.")) return "mystery";
  if (i.key.includes("complaint")) return "complaints";
  if (i.key.startsWith("assessments.") || i.key.startsWith("actions.") || i.key.startsWith("staff.")) return null;
  return "other";
}

const SECTION_TITLES: Record<ReviewSection["key"], string> = {
  surveys: "Enquêtes de satisfaction",
  complaints: "Réclamations",
  phone: "Joignabilité téléphonique",
  mystery: "Visites et appels mystères",
  other: "Autres indicateurs",
};

export async function buildReview(db: Kysely<DB>, orgId: string, year: number, now = new Date()): Promise<Review> {
  const period = { from: `${year}-01-01`, to: `${year}-12-31` };
  const [org, commitments, indicators, campaign, plan, nextYear, nextYearCounts, training] = await Promise.all([
    getOrganisation(db, orgId),
    organisationCommitments(db, orgId),
    allIndicators(db, orgId, period),
    campaignOfYear(db, orgId, year),
    planCounts(db, orgId, year),
    listPlan(db, orgId, { planYear: year + 1, limit: 500 }),
    planCounts(db, orgId, year + 1),
    trainingTable(db, orgId, period.to),
  ]);
  const assessment = campaign ? await campaignDetails(db, orgId, campaign.id) : null;
  const sections: ReviewSection[] = (Object.keys(SECTION_TITLES) as Array<ReviewSection["key"]>).map((key) => ({
    key,
    title: SECTION_TITLES[key],
    indicators: indicators.filter((i) => sectionOf(i) === key),
  }));
  const networkScores = indicators.filter((i) => i.key === "assessments.score" || i.key === "assessments.overall");
  const reviewCommitments = commitments.commitments.map((c) => ({
    id: c.id,
    number: c.number,
    title: c.title,
    targets: c.targets.map(describeTarget),
    indicators: indicators.filter((i) => i.commitments.includes(c.id)),
  }));
  const label = (c: { number: number | null; index?: number }, i: number) => (c.number === null ? `L${i + 1}` : String(c.number));
  const charts: Review["charts"] = {
    assessment: assessment
      ? {
          title: `Auto-évaluation : score par engagement, ${year}${assessment.lastYear ? ` et ${year - 1}` : ""}`,
          categories: assessment.commitments.map((c, i) => label(c, i)),
          series: [
            { name: String(year), values: assessment.commitments.map((c) => c.score.score) },
            ...(assessment.lastYear
              ? [{ name: String(year - 1), values: assessment.commitments.map((c) => c.lastYear), color: "#929292" }]
              : []),
          ],
          max: 100,
        }
      : networkScores.some((s) => s.key === "assessments.score")
        ? {
            title: `Auto-évaluation : score moyen des campagnes signées, ${year}`,
            categories: networkScores.filter((s) => s.key === "assessments.score").map((s) => s.commitments[0]?.split("/")[1] ?? "?"),
            series: [{ name: String(year), values: networkScores.filter((s) => s.key === "assessments.score").map((s) => s.value) }],
            max: 100,
          }
        : null,
    plan: plan.total
      ? {
          title: `Plan d'actions ${year} : actions par statut`,
          categories: ACTION_STATUSES.map((s) => ACTION_STATUS_LABELS[s]),
          series: [{ name: "Actions", values: ACTION_STATUSES.map((s) => plan.byStatus[s]) }],
        }
      : null,
    training: training.total.staff
      ? {
          title: "Agents formés par thème (%)",
          categories: TRAINING_THEMES.map((_, i) => `T${i + 1}`),
          series: [{ name: "Part formée", values: TRAINING_THEMES.map((t) => Math.round((training.total.shares[t] ?? 0) * 100)) }],
          max: 100,
          unit: "%",
        }
      : null,
  };
  return {
    org,
    year,
    period,
    generatedAt: now,
    framework: commitments.framework
      ? { id: commitments.framework.id, name: commitments.framework.name, edition: commitments.framework.edition }
      : null,
    commitments: reviewCommitments,
    sections,
    assessment,
    networkScores,
    plan,
    nextYear: nextYear.filter((a) => a.status === "todo" || a.status === "doing"),
    nextYearCounts,
    training,
    charts,
  };
}

/** The legend of the training chart's short category names. */
export const TRAINING_LEGEND = TRAINING_THEMES.map((t, i) => `T${i + 1} : ${TRAINING_THEME_LABELS[t]}`);
