import { z } from "zod";
import { onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { parseInput } from "../../kernel/validation.ts";
import { sendPage } from "../../ui/page.tsx";
import { reviewPdf } from "./review-pdf.ts";
import { buildReview } from "./reviews.service.ts";
import { ReviewView } from "./reviews.views.tsx";

const params = z.object({ orgId: z.string().uuid() });
/** A year the review can cover; by default the year that just ended until March, then the current one. */
const query = z.object({
  year: z.coerce
    .number()
    .int()
    .min(2000)
    .max(2100)
    .catch(() => defaultYear()),
});
function defaultYear(now = new Date()): number {
  return now.getMonth() < 3 ? now.getFullYear() - 1 : now.getFullYear();
}

/** The annual review of a site or a network: a web page and the same content as a PDF. */
export async function reviewsRoutes(app: App, deps: AppDeps): Promise<void> {
  // The annual review only reads: the replica when there is one (docs/architecture.md).
  const { readDb: db } = deps;
  const read = { config: { access: onOrg("request.read") }, schema: { hide: true } };

  app.get("/organisations/:orgId/review", read, async (request, reply) => {
    const { orgId } = parseInput(params, request.params);
    const { year } = query.parse(request.query ?? {});
    const review = await buildReview(db, orgId, year);
    return sendPage(reply, request, {
      title: `Bilan annuel ${year} — ${review.org.name}`,
      breadcrumbs: [{ label: review.org.name, href: `/organisations/${orgId}` }, { label: `Bilan annuel ${year}` }],
      children: <ReviewView review={review} pdfHref={`/organisations/${orgId}/review.pdf?year=${year}`} />,
    });
  });

  app.get("/organisations/:orgId/review.pdf", read, async (request, reply) => {
    const { orgId } = parseInput(params, request.params);
    const { year } = query.parse(request.query ?? {});
    const pdf = await reviewPdf(await buildReview(db, orgId, year));
    return reply
      .header("content-type", "application/pdf")
      .header("content-disposition", `inline; filename="bilan-annuel-${year}.pdf"`)
      .header("cache-control", "no-store")
      .send(pdf);
  });

  app.get(
    "/api/v1/organisations/:orgId/review",
    {
      config: { access: onOrg("request.read") },
      schema: {
        tags: ["bilan annuel"],
        summary:
          "Les données du bilan annuel : engagements et indicateurs, sections, auto-évaluation, plan, formations, actions de l'année suivante",
        params,
        querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }),
      },
    },
    async (request) => {
      const r = await buildReview(db, request.params.orgId, request.query.year ?? defaultYear());
      return {
        organisation: { id: r.org.id, name: r.org.name },
        year: r.year,
        framework: r.framework,
        commitments: r.commitments,
        sections: r.sections,
        assessment: r.assessment
          ? {
              signed: r.assessment.campaign.signed,
              overall: r.assessment.overall,
              lastYearOverall: r.assessment.lastYear?.overall ?? null,
              commitments: r.assessment.commitments.map((c) => ({
                id: c.id,
                score: c.score.score,
                lastYear: c.lastYear,
                change: c.change,
              })),
            }
          : null,
        networkScores: r.networkScores,
        plan: r.plan,
        training: r.training.total,
        nextYear: r.nextYear.map((a) => ({
          id: a.id,
          number: a.number,
          title: a.title,
          commitmentId: a.commitmentId,
          owner: a.owner,
          dueOn: a.dueOn,
          status: a.status,
        })),
      };
    },
  );
}
