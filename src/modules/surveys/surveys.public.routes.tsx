import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { PUBLIC } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { publicSource } from "../../kernel/cookies.ts";
import { AppError } from "../../kernel/errors.ts";
import { isFormError } from "../../kernel/forms.ts";
import { recentSettingsEpoch } from "../../kernel/settings-epoch.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import { escapeHtml, raw, render } from "../../ui/jsx/jsx-runtime.ts";
import { type PageTemplate, pageTemplate, publicStylesheetUrl, sendPage, sendTemplate, slot, templateLook } from "../../ui/page.tsx";
import { verifyFormToken } from "./form-token.ts";
import { headlineQuestion } from "./rollup.ts";
import {
  HiddenFields,
  KioskPage,
  KioskThanksPage,
  type Submitted,
  SurveyForm,
  SurveyThanks,
  submittedAnswers,
} from "./surveys.public.views.tsx";
import { kioskBodySchema, kioskParams, surveyParams } from "./surveys.schema.ts";
import {
  ALREADY_SENT_MESSAGE,
  answerSite,
  formTokenFor,
  INVITATION_UNKNOWN_MESSAGE,
  INVITATION_USED_MESSAGE,
  invitationStatus,
  kioskKey,
  type PublicSurvey,
  publicSurvey,
  recordKioskAnswer,
  recordResponse,
} from "./surveys.service.ts";

const KIOSK_SCRIPT = readFileSync(new URL("./kiosk.client.js", import.meta.url));
const DEFAULT_THANKS = "Votre réponse est enregistrée. Elle nous aide à améliorer nos services.";

/** What a public link carries besides the survey: the site, the channel and an invitation. */
function linkContext(query: unknown): Record<string, string> {
  const q = (typeof query === "object" && query !== null ? query : {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [from, to] of [
    ["site", "_site"],
    ["canal", "_canal"],
    ["invitation", "_invitation"],
  ] as const) {
    const v = q[from] ?? q[to];
    if (typeof v === "string" && v !== "" && v.length <= 64) out[to] = v;
  }
  return out;
}

const params = (request: FastifyRequest) => {
  const parsed = surveyParams.safeParse(request.params);
  if (!parsed.success) throw new AppError("http.not_found", { message: "Enquête introuvable." });
  return parsed.data;
};

/**
 * The public side of surveys: the questionnaire, which works without JavaScript (every question
 * shown, show-if applied when the answers arrive), the thank-you page, and the counter kiosk. No
 * account, no cookie beyond the CSRF one every form of the site carries.
 */
export async function surveysPublicRoutes(app: App, deps: AppDeps): Promise<void> {
  await publicSurveyForm(app, deps);
  await counterKiosk(app, deps);
}

/** The thank-you page, with the survey's own message unless another is given. */
async function thanksPage(
  db: Kysely<DB>,
  request: FastifyRequest,
  reply: FastifyReply,
  ids: { orgId: string; surveyId: string },
  message: string | undefined,
  status = 200,
) {
  const survey = await publicSurvey(db, ids.orgId, ids.surveyId);
  return sendPage(
    reply,
    request,
    {
      light: true,
      title: `Merci — ${survey.orgName}`,
      children: (
        <SurveyThanks orgName={survey.orgName} title={survey.questionnaire.title} thanks={message ?? survey.questionnaire.thanks} />
      ),
    },
    status,
  );
}

/** The blank form of each survey, per look of the page (kept while the survey's cached definition is). */
const blankForms = new WeakMap<PublicSurvey, Map<string, PageTemplate>>();
const isBlank = (state: { form: FormState; submitted: Submitted }) =>
  state.submitted.size === 0 && Object.keys(state.form.errors).length === 0 && Object.keys(state.form.values).length === 0;

/** The questionnaire, with the state given: a new form, or the answers refused and why. */
async function showForm(
  db: Kysely<DB>,
  request: FastifyRequest,
  reply: FastifyReply,
  ids: { orgId: string; surveyId: string },
  state: { form: FormState; submitted: Submitted; token?: string | undefined; context: Record<string, string> },
  status = 200,
) {
  const survey = await publicSurvey(db, ids.orgId, ids.surveyId);
  // Only shown: the site as of a second ago at most; the answer checks it again (recordResponse).
  const site = await answerSite(db, survey, state.context._site, await recentSettingsEpoch(db));
  // A new form, as nearly every link opens it: drawn once per survey and look, filled in per request.
  const look = templateLook(request);
  if (look && status === 200 && !state.token && isBlank(state) && !state.context._invitation) {
    let templates = blankForms.get(survey);
    if (!templates) {
      templates = new Map();
      blankForms.set(survey, templates);
    }
    let template = templates.get(look);
    if (!template) {
      template = pageTemplate(request, {
        light: true,
        title: `${survey.questionnaire.title} — ${slot("site")}`,
        children: (
          <SurveyForm
            orgName={slot("site")}
            questionnaire={survey.questionnaire}
            action={`/s/${ids.orgId}/${ids.surveyId}`}
            csrf={slot("csrf")}
            formToken={slot("form")}
            form={emptyForm()}
            submitted={new Map()}
            hidden={raw(slot("hidden"))}
          />
        ),
      });
      templates.set(look, template);
    }
    return sendTemplate(reply, request, template, {
      site: escapeHtml(site.name),
      form: await formTokenFor(db, survey),
      hidden: render(<HiddenFields fields={state.context} />),
    });
  }
  return sendPage(
    reply,
    request,
    {
      light: true,
      title: `${survey.questionnaire.title} — ${site.name}`,
      children: (
        <SurveyForm
          orgName={site.name}
          questionnaire={survey.questionnaire}
          action={`/s/${ids.orgId}/${ids.surveyId}`}
          csrf={request.csrfToken}
          formToken={state.token ?? (await formTokenFor(db, survey))}
          form={state.form}
          submitted={state.submitted}
          hidden={state.context}
        />
      ),
    },
    status,
  );
}

/** The questionnaire and its thank-you page. */
async function publicSurveyForm(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  app.get("/s/:orgId/:surveyId", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const ids = params(request);
    const context = linkContext(request.query);
    if (context._invitation) {
      // Said at once rather than after the person has filled everything in.
      const state = await invitationStatus(db, await publicSurvey(db, ids.orgId, ids.surveyId), context._invitation);
      if (state === "used") return thanksPage(db, request, reply, ids, INVITATION_USED_MESSAGE);
      if (state === "unknown") {
        delete context._invitation;
        const form: FormState = { values: {}, errors: { _: INVITATION_UNKNOWN_MESSAGE } };
        return showForm(db, request, reply, ids, { form, submitted: new Map(), context });
      }
    }
    return showForm(db, request, reply, ids, { form: emptyForm(), submitted: new Map(), context });
  });

  app.post("/s/:orgId/:surveyId", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const ids = params(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const context = linkContext(body);
    try {
      await recordResponse(db, ids.orgId, ids.surveyId, {
        answers: body,
        formToken: body._form,
        honeypot: body._website,
        source: request.ip,
        browser: publicSource(request).browser,
        site: context._site,
        channel: context._canal,
        invitation: context._invitation,
      });
      return reply.redirect(`/s/${ids.orgId}/${ids.surveyId}/merci${context._site ? `?site=${context._site}` : ""}`, 303);
    } catch (error) {
      if (!isFormError(error)) throw error;
      const message = error.fields?._;
      if (message === ALREADY_SENT_MESSAGE || message === INVITATION_USED_MESSAGE) {
        // No new form: a fresh token would let the same person count twice by sending again.
        return thanksPage(db, request, reply, ids, message, error.status);
      }
      // The same token while it is still good: it has not been used, the answers were refused.
      const token =
        (await verifyFormToken(db, ids.orgId, ids.surveyId, body._form)) && typeof body._form === "string" ? body._form : undefined;
      if (message === INVITATION_UNKNOWN_MESSAGE) delete context._invitation;
      const form: FormState = { values: {}, errors: error.fields ?? { _: error.message } };
      return showForm(db, request, reply, ids, { form, submitted: submittedAnswers(body), token, context }, error.status);
    }
  });

  app.get("/s/:orgId/:surveyId/merci", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) =>
    thanksPage(db, request, reply, params(request), undefined),
  );
}

/** The kiosk a link opens, once its key checked: the survey and its opinion question. */
async function kioskIds(db: Kysely<DB>, request: FastifyRequest) {
  const parsed = kioskParams.safeParse(request.params);
  if (!parsed.success) throw new AppError("http.not_found", { message: "Borne introuvable." });
  const survey = await publicSurvey(db, parsed.data.orgId, parsed.data.surveyId);
  if (parsed.data.key !== (await kioskKey(db, survey)))
    throw new AppError("http.not_found", { message: "Ce lien de borne n'est plus valable : demandez-en un nouveau." });
  const question = headlineQuestion(survey.questionnaire);
  if (!question) throw new AppError("http.not_found", { message: "Ce questionnaire n'a pas de question d'opinion pour une borne." });
  return { ...parsed.data, survey, question };
}
const kioskSite = (query: unknown) => linkContext(query)._site;

/** The counter kiosk: one question on a tablet, its taps without JavaScript, its script, and (below) the answers it sends. */
async function counterKiosk(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  app.get("/borne/:orgId/:surveyId/:key", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const k = await kioskIds(db, request);
    const site = kioskSite(request.query);
    const siteOrg = await answerSite(db, k.survey, site);
    const base = `/borne/${k.orgId}/${k.surveyId}/${k.key}`;
    return reply
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-store")
      .send(
        KioskPage({
          stylesheet: publicStylesheetUrl(),
          orgName: siteOrg.name,
          question: k.question,
          action: base,
          endpoint: `/api/v1/public/kiosk/${k.orgId}/${k.surveyId}/${k.key}`,
          site,
          csrf: request.csrfToken,
          answerId: randomBytes(16).toString("hex"),
          thanks: k.survey.questionnaire.thanks ?? DEFAULT_THANKS,
        }),
      );
  });

  app.post("/borne/:orgId/:surveyId/:key", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const k = await kioskIds(db, request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const site = kioskSite(body);
    const back = `/borne/${k.orgId}/${k.surveyId}/${k.key}${site ? `?site=${site}` : ""}`;
    const id = typeof body._id === "string" ? body._id : "";
    try {
      await recordKioskAnswer(db, k.orgId, k.surveyId, k.key, site, { id, answers: { [k.question.id]: body[k.question.id] } });
    } catch (error) {
      // A tap that carried no answer (a stale page): back to the question, nothing recorded.
      if (error instanceof AppError && error.status === 400) return reply.redirect(back, 303);
      throw error;
    }
    const siteOrg = await answerSite(db, k.survey, site);
    return reply.type("text/html; charset=utf-8").send(
      KioskThanksPage({
        stylesheet: publicStylesheetUrl(),
        orgName: siteOrg.name,
        back,
        thanks: k.survey.questionnaire.thanks ?? DEFAULT_THANKS,
      }),
    );
  });

  app.get("/assets/vigie-kiosk.js", { config: { access: PUBLIC }, schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=3600").send(KIOSK_SCRIPT),
  );

  kioskQueueApi(app, deps);
}

/** The answers a kiosk with JavaScript keeps on the tablet, sent in batches when the network lets it (kiosk.client.js). */
function kioskQueueApi(app: App, deps: AppDeps): void {
  const { db } = deps;
  app.post("/api/v1/public/kiosk/:orgId/:surveyId/:key", { config: { access: PUBLIC }, schema: { hide: true } }, async (request, reply) => {
    const k = await kioskIds(db, request);
    const parsed = kioskBodySchema.safeParse(request.body);
    if (!parsed.success) throw new AppError("validation", { message: "Envoi de borne mal formé." });
    let recorded = 0;
    let duplicates = 0;
    const refused: string[] = [];
    for (const answer of parsed.data.answers) {
      try {
        const outcome = await recordKioskAnswer(db, k.orgId, k.surveyId, k.key, parsed.data.site, answer);
        if (outcome === "recorded") recorded++;
        else duplicates++;
      } catch (error) {
        // One bad answer (a question since removed) must not hold back the rest of the queue.
        if (error instanceof AppError && error.status === 400) refused.push(answer.id);
        else throw error;
      }
    }
    return reply.send({ recorded, duplicates, refused });
  });
}
