import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Sheet } from "../../kernel/spreadsheet.ts";
import { CHANNEL_LABELS, type Channel } from "../frameworks/channels.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { allQuestions, choicesOf, type Question } from "./questionnaire.ts";
import { type Estimate, formatEstimate } from "./statistics.ts";
import * as repo from "./surveys.repository.ts";
import { getSurvey, type SurveyResults } from "./surveys.service.ts";

const VIA_LABELS: Record<string, string> = { link: "Lien public", kiosk: "Borne", invitation: "Invitation", api: "API" };

function answerLabel(q: Question | undefined, value: unknown): string {
  if (value === undefined || value === null) return "";
  const values = Array.isArray(value) ? value : [value];
  const choices = q ? choicesOf(q) : null;
  return values.map((v) => choices?.find((c) => c.value === String(v))?.label ?? String(v)).join(" ; ");
}

/**
 * Every response, one row each, one column per question of the current version (answers given
 * on older versions fill the columns whose question id they share), answers written as their labels.
 */
export async function responsesSheet(db: Kysely<DB>, orgId: string, surveyId: string): Promise<Sheet> {
  const survey = await getSurvey(db, orgId, surveyId);
  const questions = allQuestions(survey.questionnaire);
  const rows = await repo.exportRows(db, orgId, surveyId);
  const siteNames = new Map<string, string>();
  for (const id of new Set(rows.map((r) => r.site_id)))
    siteNames.set(id, (await getOrganisation(db, id).catch(() => undefined))?.name ?? id);
  return {
    name: "Réponses",
    header: ["Réponse", "Date", "Site", "Canal", "Mode", "Version", ...questions.map((q) => q.label)],
    rows: rows.map((r, i) => {
      const answers = (r.answers ?? {}) as Record<string, unknown>;
      return [
        i + 1,
        r.answered_on,
        siteNames.get(r.site_id) ?? r.site_id,
        CHANNEL_LABELS[r.channel as Channel] ?? r.channel,
        VIA_LABELS[r.via] ?? r.via,
        r.version,
        ...questions.map((q) => answerLabel(q, answers[q.id])),
      ];
    }),
  };
}

/** The results page as a table: per question and answer, the count and the share; then the rates with their intervals. */
export function resultsSheet(results: SurveyResults): Sheet {
  const rows: Sheet["rows"] = [];
  for (const { question, summary } of results.questions) {
    for (const d of summary.distribution)
      rows.push([question.label, d.label, d.count, Math.round(d.share * 1000) / 10, summary.answered, "", ""]);
    const rates: Array<[string, Estimate | null, "percent" | "points"]> = [
      ["Taux de satisfaction", summary.satisfaction, "percent"],
      ["Satisfaction nette (points)", summary.net, "points"],
      ["Notes de 8 ou plus", summary.ratedAtLeast8, "percent"],
    ];
    for (const [label, e, unit] of rates) {
      if (!e) continue;
      rows.push([
        question.label,
        label,
        "",
        Math.round(e.value * 1000) / 10,
        summary.answered,
        formatEstimate(e, unit),
        e.warning?.message ?? "",
      ]);
    }
  }
  return {
    name: "Résultats",
    header: ["Question", "Réponse", "Nombre", "Part (%)", "Répondants", "Intervalle à 95 %", "Avertissement"],
    rows,
  };
}
