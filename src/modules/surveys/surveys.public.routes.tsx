import type { FastifyReply, FastifyRequest } from "fastify";
import { PUBLIC } from "../../app/access.ts";
import type { App, AppDeps } from "../../app/context.ts";
import { AppError } from "../../app/errors.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { verifyFormToken } from "./form-token.ts";
import { type Submitted, SurveyForm, SurveyThanks, submittedAnswers } from "./surveys.public.views.tsx";
import { surveyParams } from "./surveys.schema.ts";
import { ALREADY_SENT_MESSAGE, formTokenFor, openSurvey, recordResponse } from "./surveys.service.ts";

/**
 * The public side of surveys: the questionnaire, which works without JavaScript (every question
 * shown, show-if applied when the answers arrive), and the thank-you page. No account, no cookie
 * beyond the CSRF one every form of the site carries.
 */
export async function surveysPublicRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  const params = (request: FastifyRequest) => {
    const parsed = surveyParams.safeParse(request.params);
    if (!parsed.success) throw new AppError("http.not_found", { message: "Enquête introuvable." });
    return parsed.data;
  };

  const showForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ids: { orgId: string; surveyId: string },
    state: { form: FormState; submitted: Submitted; token?: string | undefined },
    status = 200,
  ) => {
    const { survey, orgName } = await openSurvey(db, ids.orgId, ids.surveyId);
    return sendPage(
      reply,
      request,
      {
        light: true,
        title: `${survey.questionnaire.title} — ${orgName}`,
        children: (
          <SurveyForm
            orgName={orgName}
            questionnaire={survey.questionnaire}
            action={`/s/${ids.orgId}/${ids.surveyId}`}
            csrf={request.csrfToken}
            formToken={state.token ?? (await formTokenFor(db, survey))}
            form={state.form}
            submitted={state.submitted}
          />
        ),
      },
      status,
    );
  };

  app.get("/s/:orgId/:surveyId", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) =>
    showForm(request, reply, params(request), { form: emptyForm(), submitted: new Map() }),
  );

  app.post("/s/:orgId/:surveyId", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const ids = params(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      await recordResponse(db, ids.orgId, ids.surveyId, {
        answers: body,
        formToken: body._form,
        honeypot: body._website,
        source: request.ip,
      });
      return reply.redirect(`/s/${ids.orgId}/${ids.surveyId}/merci`, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
      if (error.fields?._ === ALREADY_SENT_MESSAGE) {
        // No new form: a fresh token would let the same person count twice by sending again.
        const { survey, orgName } = await openSurvey(db, ids.orgId, ids.surveyId);
        return sendPage(
          reply,
          request,
          {
            light: true,
            title: `${survey.questionnaire.title} — ${orgName}`,
            children: <SurveyThanks orgName={orgName} title={survey.questionnaire.title} thanks={ALREADY_SENT_MESSAGE} />,
          },
          error.status,
        );
      }
      // The same token while it is still good: it has not been used, the answers were refused.
      const token =
        (await verifyFormToken(db, ids.orgId, ids.surveyId, body._form)) && typeof body._form === "string" ? body._form : undefined;
      const form: FormState = { values: {}, errors: error.fields ?? { _: error.message } };
      return showForm(request, reply, ids, { form, submitted: submittedAnswers(body), token }, error.status);
    }
  });

  app.get("/s/:orgId/:surveyId/merci", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const ids = params(request);
    const { survey, orgName } = await openSurvey(db, ids.orgId, ids.surveyId);
    return sendPage(reply, request, {
      light: true,
      title: `Merci — ${orgName}`,
      children: <SurveyThanks orgName={orgName} title={survey.questionnaire.title} thanks={survey.questionnaire.thanks} />,
    });
  });
}
