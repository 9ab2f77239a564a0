import { z } from "zod";
import { actorOf, onOrg, PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { orgParams, responseBodySchema, resultsQuerySchema, surveyCreateSchema, surveyParams } from "./surveys.schema.ts";
import { createSurvey, formTokenFor, listSurveys, openSurvey, recordResponse, type Survey, surveyResults } from "./surveys.service.ts";

const TAG = ["enquêtes"];

const surveyOut = z.object({
  orgId: z.string(),
  id: z.string(),
  title: z.string(),
  channel: z.string().nullable(),
  template: z.string(),
  status: z.string(),
  version: z.number(),
  responses: z.number(),
  createdAt: z.date(),
  questionnaire: z.unknown(),
});
const present = (s: Survey) => s;

const warningOut = z.object({ code: z.string(), message: z.string() }).nullable();
const estimateOut = z.object({ value: z.number(), low: z.number(), high: z.number(), n: z.number(), warning: warningOut }).nullable();

const resultsOut = z.object({
  surveyId: z.string(),
  title: z.string(),
  from: z.string(),
  to: z.string(),
  version: z.number(),
  responses: z.number(),
  questions: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      type: z.string(),
      answered: z.number(),
      distribution: z.array(z.object({ value: z.string(), label: z.string(), count: z.number(), share: z.number() })),
      satisfaction: estimateOut,
      net: estimateOut,
      ratedAtLeast8: estimateOut,
      months: z.array(z.object({ month: z.string(), answered: z.number(), satisfaction: estimateOut, net: estimateOut })),
    }),
  ),
});

/** The JSON API of surveys: the same operations as the pages, the public answer included (below). */
export async function surveysApiRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;
  app.get(
    "/api/v1/organisations/:orgId/surveys",
    {
      config: { access: onOrg("request.read") },
      schema: { tags: TAG, summary: "Les enquêtes de l'organisation", params: orgParams, response: { 200: z.array(surveyOut) } },
    },
    async (request) => (await listSurveys(db, request.params.orgId)).map(present),
  );

  app.post(
    "/api/v1/organisations/:orgId/surveys",
    {
      config: { access: onOrg("commitment.manage") },
      schema: {
        tags: TAG,
        summary: "Créer une enquête à partir d'un modèle (annual, on-the-spot)",
        params: orgParams,
        body: surveyCreateSchema,
        response: { 201: surveyOut },
      },
    },
    async (request, reply) => reply.status(201).send(present(await createSurvey(db, actorOf(request), request.params.orgId, request.body))),
  );

  app.get(
    "/api/v1/organisations/:orgId/surveys/:surveyId/results",
    {
      config: { access: onOrg("request.read") },
      schema: {
        tags: TAG,
        summary: "Résultats par question : répartition, taux de satisfaction et satisfaction nette avec intervalles à 95 %, par mois",
        params: surveyParams,
        querystring: resultsQuerySchema,
        response: { 200: resultsOut },
      },
    },
    async (request) => {
      const r = await surveyResults(db, request.params.orgId, request.params.surveyId, request.query);
      return {
        surveyId: r.survey.id,
        title: r.survey.title,
        from: r.filter.from,
        to: r.filter.to,
        version: r.survey.version,
        responses: r.responses,
        questions: r.questions.map((q) => ({
          id: q.question.id,
          label: q.question.label,
          type: q.question.type,
          ...q.summary,
          months: q.months,
        })),
      };
    },
  );

  publicSurveyApi(app, deps);
}

/** The public side, with no account: an open survey's questionnaire, and an anonymous answer to it. */
function publicSurveyApi(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.get(
    "/api/v1/public/organisations/:orgId/surveys/:surveyId",
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAG,
        summary: "Le questionnaire d'une enquête ouverte, avec le jeton à usage unique à renvoyer avec la réponse",
        params: surveyParams,
        response: { 200: z.object({ title: z.string(), questionnaire: z.unknown(), formToken: z.string() }) },
      },
    },
    async (request) => {
      const { survey } = await openSurvey(db, request.params.orgId, request.params.surveyId);
      return { title: survey.title, questionnaire: survey.questionnaire, formToken: await formTokenFor(db, survey) };
    },
  );

  app.post(
    "/api/v1/public/organisations/:orgId/surveys/:surveyId/responses",
    {
      config: { access: PUBLIC },
      schema: {
        tags: TAG,
        summary: "Enregistrer une réponse anonyme (jeton à usage unique, limite d'envois par source)",
        params: surveyParams,
        body: responseBodySchema,
        response: { 201: z.object({ status: z.literal("recorded") }) },
      },
    },
    async (request, reply) => {
      await recordResponse(db, request.params.orgId, request.params.surveyId, {
        answers: request.body.answers,
        formToken: request.body.formToken,
        honeypot: request.body.website,
        source: request.ip,
        via: "api",
        site: request.body.site,
        channel: request.body.channel,
        invitation: request.body.invitation,
      });
      return reply.status(201).send({ status: "recorded" as const });
    },
  );
}
