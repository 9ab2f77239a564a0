import type { FastifyRequest } from "fastify";
import { actorOf, onOrg } from "../../app/access.ts";
import type { App, AppDeps } from "../../app/context.ts";
import { AppError } from "../../app/errors.ts";
import { submittedValues } from "../../app/forms.ts";
import { parseInput } from "../../app/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { can } from "../accounts/roles.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { orgParams, surveyCreateSchema, surveyParams } from "./surveys.schema.ts";
import { createSurvey, listSurveys, surveyResults, surveyTemplates } from "./surveys.service.ts";
import { ResultsView, SurveyList } from "./surveys.views.tsx";

/** Staff pages of surveys: the list with the « create from a template » form, and the results. */
export async function surveysRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  const listPage = async (request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    return {
      title: `Enquêtes — ${org.name}`,
      breadcrumbs: [
        { label: "Organisations", href: "/organisations" },
        { label: org.name, href: `/organisations/${orgId}` },
        { label: "Enquêtes" },
      ],
      children: (
        <SurveyList
          orgId={orgId}
          orgName={org.name}
          surveys={await listSurveys(db, orgId)}
          templates={surveyTemplates()}
          canManage={can(actorOf(request), "commitment.manage", org.path)}
          form={form}
          csrf={request.csrfToken}
        />
      ),
    };
  };

  app.get(
    "/organisations/:orgId/surveys",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      return sendPage(reply, request, await listPage(request, orgId, emptyForm()));
    },
  );

  app.post(
    "/organisations/:orgId/surveys",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      try {
        const input = parseInput(surveyCreateSchema, request.body);
        const survey = await createSurvey(db, actorOf(request), orgId, input);
        return reply.redirect(`/organisations/${orgId}/surveys/${survey.id}?ok=survey.created`, 303);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
        const form = { values: submittedValues(request.body), errors: error.fields ?? { _: error.message } };
        return sendPage(reply, request, await listPage(request, orgId, form), error.status);
      }
    },
  );

  app.get(
    "/organisations/:orgId/surveys/:surveyId",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      const org = await getOrganisation(db, orgId);
      const results = await surveyResults(db, orgId, surveyId);
      return sendPage(reply, request, {
        title: `${results.survey.title} — résultats`,
        breadcrumbs: [
          { label: org.name, href: `/organisations/${orgId}` },
          { label: "Enquêtes", href: `/organisations/${orgId}/surveys` },
          { label: "Résultats" },
        ],
        children: <ResultsView results={results} />,
      });
    },
  );
}
