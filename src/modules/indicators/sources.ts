import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { actionIndicatorBatch, actionIndicatorSource } from "../actions/actions.service.ts";
import { assessmentIndicatorBatch, assessmentIndicatorSource } from "../assessments/assessments.service.ts";
import { callIndicatorBatch, callIndicators } from "../calls/calls.service.ts";
import { mysteryIndicatorBatch, mysteryIndicators } from "../mystery/mystery.service.ts";
import {
  feedbackIndicatorBatch,
  feedbackIndicatorSource,
  networkTargetsInScope,
  networkTargetsOf,
  withTargets,
} from "../obligations/obligations.service.ts";
import { organisationsInScope } from "../organisations/organisations.service.ts";
import { requestIndicatorBatch, requestIndicatorSource } from "../requests/requests.indicators.ts";
import { staffIndicatorBatch, staffIndicatorSource } from "../staff/staff.service.ts";
import { surveyIndicatorBatch, surveyIndicatorSource } from "../surveys/surveys.service.ts";
import type { IndicatorBatchSource, IndicatorSource, IndicatorValue, OrgScope, Period } from "./indicator.ts";

/**
 * Every module's figures, in the order a dashboard lists them. A module adds its source here (one
 * line); readers (dashboard, annual review, published results) call `allIndicators`.
 */
export const INDICATOR_SOURCES: Array<{ module: string; source: IndicatorSource; batch?: IndicatorBatchSource }> = [
  { module: "requests", source: requestIndicatorSource, batch: requestIndicatorBatch },
  { module: "surveys", source: surveyIndicatorSource, batch: surveyIndicatorBatch },
  { module: "calls", source: callIndicators, batch: callIndicatorBatch },
  { module: "mystery", source: mysteryIndicators, batch: mysteryIndicatorBatch },
  { module: "assessments", source: assessmentIndicatorSource, batch: assessmentIndicatorBatch },
  { module: "actions", source: actionIndicatorSource, batch: actionIndicatorBatch },
  { module: "staff", source: staffIndicatorSource, batch: staffIndicatorBatch },
  { module: "feedback", source: feedbackIndicatorSource, batch: feedbackIndicatorBatch },
];

/**
 * Each figure carries the target it is judged against: the framework's, or the one a network set for
 * its subtree (obligations module, issue #14), so the dashboard, the published figures, the annual
 * review and the comparison all read the same target.
 */
export async function allIndicators(db: Kysely<DB>, orgId: string, period: Period): Promise<IndicatorValue[]> {
  const [lists, targets] = await Promise.all([
    Promise.all(INDICATOR_SOURCES.map(({ source }) => source(db, orgId, period))),
    networkTargetsOf(db, orgId),
  ]);
  return withTargets(lists.flat(), targets);
}

/**
 * The figures of every organisation of a scope (comparison, network review, survey results by site).
 * A module with a `batch` source answers in a bounded number of queries; one without falls back to
 * its single source per organisation, which is what issue #13 removes module by module.
 */
export async function indicatorsInScope(db: Kysely<DB>, scope: OrgScope, period: Period): Promise<Map<string, IndicatorValue[]>> {
  const result = new Map<string, IndicatorValue[]>();
  const needLoop = INDICATOR_SOURCES.some((s) => !s.batch);
  const orgs = needLoop ? await organisationsInScope(db, scope) : [];
  for (const { source, batch } of INDICATOR_SOURCES) {
    const byOrg = batch
      ? await batch(db, scope, period)
      : new Map(await Promise.all(orgs.map(async (o) => [o.id, await source(db, o.id, period)] as const)));
    for (const [orgId, values] of byOrg) result.set(orgId, [...(result.get(orgId) ?? []), ...values]);
  }
  const targets = await networkTargetsInScope(db, scope);
  for (const [orgId, values] of result) result.set(orgId, withTargets(values, targets.get(orgId)));
  return result;
}
