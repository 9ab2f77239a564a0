import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { actionIndicatorSource } from "../actions/actions.service.ts";
import { assessmentIndicatorSource } from "../assessments/assessments.service.ts";
import { callIndicators } from "../calls/calls.service.ts";
import { mysteryIndicators } from "../mystery/mystery.service.ts";
import { requestIndicatorSource } from "../requests/requests.indicators.ts";
import { staffIndicatorSource } from "../staff/staff.service.ts";
import { surveyIndicatorSource } from "../surveys/surveys.service.ts";
import type { IndicatorSource, IndicatorValue, Period } from "./indicator.ts";

/**
 * Every module's figures, in the order a dashboard lists them. A module adds its source here (one
 * line); readers (dashboard, annual review, published results) call `allIndicators`.
 */
export const INDICATOR_SOURCES: Array<{ module: string; source: IndicatorSource }> = [
  { module: "requests", source: requestIndicatorSource },
  { module: "surveys", source: surveyIndicatorSource },
  { module: "calls", source: callIndicators },
  { module: "mystery", source: mysteryIndicators },
  { module: "assessments", source: assessmentIndicatorSource },
  { module: "actions", source: actionIndicatorSource },
  { module: "staff", source: staffIndicatorSource },
];

export async function allIndicators(db: Kysely<DB>, orgId: string, period: Period): Promise<IndicatorValue[]> {
  const lists = await Promise.all(INDICATOR_SOURCES.map(({ source }) => source(db, orgId, period)));
  return lists.flat();
}
