import { onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { campaignParams } from "./assessments.schema.ts";
import { campaignDetails } from "./assessments.service.ts";

/** The self-assessment's JSON API. */
export function assessmentsApiRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get(
    "/api/v1/organisations/:orgId/assessments/:assessmentId",
    {
      config: { access: onOrg("request.read") },
      schema: {
        tags: ["auto-évaluation"],
        summary: "Une campagne d'auto-évaluation : réponses, scores par engagement et global, comparaison avec l'année précédente",
        params: campaignParams,
      },
    },
    async (request) => {
      const d = await campaignDetails(db, request.params.orgId, request.params.assessmentId);
      return {
        year: d.campaign.year,
        frameworkId: d.campaign.frameworkId,
        signed: d.campaign.signed,
        signedAt: d.campaign.signedAt,
        overall: d.overall,
        lastYearOverall: d.lastYear?.overall ?? null,
        commitments: d.commitments.map((c) => ({
          id: c.id,
          number: c.number,
          title: c.title,
          score: c.score.score,
          lastYear: c.lastYear,
          lastYearFrom: c.lastYearFrom,
          change: c.change,
          requirements: c.items.map((i) => ({
            id: i.requirementId,
            text: i.requirementText,
            status: i.status,
            comment: i.comment,
            links: i.links,
          })),
        })),
      };
    },
  );
}
