import type { FastifyReply, FastifyRequest } from "fastify";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { formRoute } from "../../kernel/forms.ts";
import { qrSvg } from "../../kernel/qr.ts";
import { CSV_TYPE, csvOf, downloadName, XLSX_TYPE, xlsxOf } from "../../kernel/spreadsheet.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import { sendPage } from "../../ui/page.tsx";
import { CHANNEL_LABELS, type Channel } from "../frameworks/channels.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { applyEdit, type EditorInput } from "./editor.ts";
import { responsesSheet, resultsSheet } from "./exports.ts";
import { posterPdf } from "./poster.ts";
import { commentsPage, distributionPage, editorPage, linkFor, listPage, trail } from "./surveys.pages.tsx";
import {
  commentReviewSchema,
  linkQuerySchema,
  orgParams,
  publishSchema,
  resultsQuerySchema,
  settingsSchema,
  surveyCreateSchema,
  surveyParams,
} from "./surveys.schema.ts";
import {
  createSurvey,
  draftOf,
  getSurvey,
  publishDraft,
  reviewComment,
  saveDraft,
  surveyResults,
  updateSurveySettings,
} from "./surveys.service.ts";
import { ResultsView } from "./surveys.views.tsx";

/** Staff pages of surveys: list and creation, results and exports; distribution, editor and comments below. */
export async function surveysRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db } = deps;

  app.get(
    "/organisations/:orgId/surveys",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId } = parseInput(orgParams, request.params);
      return sendPage(reply, request, await listPage(db, request, orgId, emptyForm()));
    },
  );

  formRoute(app, {
    url: "/organisations/:orgId/surveys",
    access: onOrg("commitment.manage"),
    params: orgParams,
    body: surveyCreateSchema,
    run: async ({ request, params: { orgId }, body }) => {
      const survey = await createSurvey(db, actorOf(request), orgId, body);
      return `/organisations/${orgId}/surveys/${survey.id}/diffusion?ok=survey.created`;
    },
    page: (form, { request, params }) => listPage(db, request, params.orgId, form),
  });

  app.get(
    "/organisations/:orgId/surveys/:surveyId",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      const org = await getOrganisation(db, orgId);
      const parsed = resultsQuerySchema.safeParse(request.query);
      // A hand-edited address with a bad date shows the default period rather than an error page.
      const results = await surveyResults(db, orgId, surveyId, parsed.success ? parsed.data : {});
      return sendPage(reply, request, {
        title: `${results.survey.title} — résultats`,
        breadcrumbs: trail(org, undefined, results.survey.title),
        children: <ResultsView results={results} orgId={orgId} />,
      });
    },
  );

  const exportResponses = async (request: FastifyRequest, kind: "csv" | "xlsx", reply: FastifyReply) => {
    const { orgId, surveyId } = parseInput(surveyParams, request.params);
    const survey = await getSurvey(db, orgId, surveyId);
    const responses = await responsesSheet(db, orgId, surveyId);
    if (kind === "csv") {
      return reply
        .type(CSV_TYPE)
        .header("content-disposition", downloadName(`${survey.title}-reponses`, "csv"))
        .send(csvOf(responses));
    }
    const parsed = resultsQuerySchema.safeParse(request.query);
    const results = resultsSheet(await surveyResults(db, orgId, surveyId, parsed.success ? parsed.data : {}));
    return reply
      .type(XLSX_TYPE)
      .header("content-disposition", downloadName(survey.title, "xlsx"))
      .send(await xlsxOf([responses, results]));
  };
  app.get(
    "/organisations/:orgId/surveys/:surveyId/export.csv",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    (request, reply) => exportResponses(request, "csv", reply),
  );
  app.get(
    "/organisations/:orgId/surveys/:surveyId/export.xlsx",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    (request, reply) => exportResponses(request, "xlsx", reply),
  );

  surveysDistributionRoutes(app, deps);
  surveysEditorRoutes(app, deps);
}

/** A survey's distribution: links, QR codes, poster, kiosk and settings. */
function surveysDistributionRoutes(app: App, deps: AppDeps): void {
  const { db, config } = deps;
  const baseUrl = config.baseUrl.replace(/\/$/, "");

  app.get(
    "/organisations/:orgId/surveys/:surveyId/diffusion",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      return sendPage(reply, request, await distributionPage(db, baseUrl, request, orgId, surveyId, emptyForm()));
    },
  );

  formRoute(app, {
    url: "/organisations/:orgId/surveys/:surveyId/reglages",
    access: onOrg("commitment.manage"),
    params: surveyParams,
    body: settingsSchema,
    run: async ({ request, params: { orgId, surveyId }, body }) => {
      await updateSurveySettings(db, actorOf(request), orgId, surveyId, body);
      return `/organisations/${orgId}/surveys/${surveyId}/diffusion?ok=survey.settings`;
    },
    page: (form, { request, params }) => distributionPage(db, baseUrl, request, params.orgId, params.surveyId, form),
  });

  const linkOf = async (request: FastifyRequest) => {
    const { orgId, surveyId } = parseInput(surveyParams, request.params);
    const { site, canal } = parseInput(linkQuerySchema, request.query);
    const survey = await getSurvey(db, orgId, surveyId);
    const siteOrg = await getOrganisation(db, site ?? orgId);
    if (!siteOrg.path.includes(orgId))
      throw new AppError("http.not_found", { message: "Ce site ne dépend pas de l'organisation de l'enquête." });
    const channel = (survey.channel as Channel | null) ?? canal;
    return { survey, site: siteOrg, channel, ...linkFor(baseUrl, survey, siteOrg.id, channel) };
  };

  app.get(
    "/organisations/:orgId/surveys/:surveyId/qr.svg",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const link = await linkOf(request);
      return reply
        .type("image/svg+xml; charset=utf-8")
        .header("content-disposition", downloadName(`qr-${link.site.name}-${link.channel ?? "tous-canaux"}`, "svg"))
        .send(qrSvg(link.url, `Code QR du questionnaire — ${link.site.name}`));
    },
  );

  app.get(
    "/organisations/:orgId/surveys/:surveyId/affiche.pdf",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const link = await linkOf(request);
      const pdf = await posterPdf({
        siteName: link.site.name,
        title: link.survey.questionnaire.title,
        invitation: link.survey.questionnaire.introduction ?? "Votre avis nous aide à améliorer l'accueil.",
        url: link.url,
        channel: link.channel ? CHANNEL_LABELS[link.channel] : undefined,
      });
      return reply.type("application/pdf").header("content-disposition", `inline; filename="affiche.pdf"`).send(pdf);
    },
  );
}

/** A survey's questionnaire editor and the moderation of its comments. */
function surveysEditorRoutes(app: App, deps: AppDeps): void {
  const { db } = deps;

  app.get(
    "/organisations/:orgId/surveys/:surveyId/questionnaire",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      return sendPage(reply, request, await editorPage(db, request, orgId, surveyId, emptyForm()));
    },
  );

  formRoute(app, {
    url: "/organisations/:orgId/surveys/:surveyId/questionnaire",
    access: onOrg("commitment.manage"),
    params: surveyParams,
    run: async ({ request, params: { orgId, surveyId } }) => {
      const body = (request.body ?? {}) as EditorInput;
      const version = Number(body.version);
      const draft = await draftOf(db, orgId, surveyId);
      if (version !== draft.version) throw new AppError("survey.stale");
      await saveDraft(db, actorOf(request), orgId, surveyId, version, applyEdit(draft.questionnaire, body));
      return `/organisations/${orgId}/surveys/${surveyId}/questionnaire?ok=survey.draft`;
    },
    page: (form, { request, params }) => editorPage(db, request, params.orgId, params.surveyId, form),
  });

  formRoute(app, {
    url: "/organisations/:orgId/surveys/:surveyId/questionnaire/publier",
    access: onOrg("commitment.manage"),
    params: surveyParams,
    body: publishSchema,
    run: async ({ request, params: { orgId, surveyId }, body }) => {
      const decision = await publishDraft(db, actorOf(request), orgId, surveyId, body);
      const ok = decision.action === "new_version" ? "survey.new_version" : "survey.published";
      return `/organisations/${orgId}/surveys/${surveyId}/questionnaire?ok=${ok}`;
    },
    page: (form, { request, params }) => editorPage(db, request, params.orgId, params.surveyId, form),
  });

  app.get(
    "/organisations/:orgId/surveys/:surveyId/commentaires",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      return sendPage(reply, request, await commentsPage(db, request, orgId, surveyId));
    },
  );

  formRoute(app, {
    url: "/organisations/:orgId/surveys/:surveyId/commentaires",
    access: onOrg("commitment.manage"),
    params: surveyParams,
    body: commentReviewSchema,
    run: async ({ request, params: { orgId, surveyId }, body }) => {
      await reviewComment(db, actorOf(request), orgId, body);
      return `/organisations/${orgId}/surveys/${surveyId}/commentaires?ok=comment.reviewed`;
    },
    page: async (form, { request, params }) => {
      const page = await commentsPage(db, request, params.orgId, params.surveyId);
      return { ...page, flash: undefined, children: [<ErrorBlock form={form} />, page.children] };
    },
  });
}

function ErrorBlock({ form }: { form: FormState }) {
  return (
    <div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
      <h2 class="fr-alert__title">Le commentaire n'a pas été enregistré</h2>
      <ul>
        {Object.values(form.errors).map((m) => (
          <li>{m}</li>
        ))}
      </ul>
    </div>
  );
}
