import type { FastifyReply, FastifyRequest } from "fastify";
import { actorOf, onOrg } from "../../kernel/access.ts";
import type { App, AppDeps } from "../../kernel/context.ts";
import { AppError } from "../../kernel/errors.ts";
import { submittedValues } from "../../kernel/forms.ts";
import { can } from "../../kernel/roles.ts";
import { CSV_TYPE, csvOf, downloadName, XLSX_TYPE, xlsxOf } from "../../kernel/spreadsheet.ts";
import { parseInput } from "../../kernel/validation.ts";
import { emptyForm, type FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { sendPage } from "../../ui/page.tsx";
import { CHANNEL_LABELS, type Channel } from "../frameworks/channels.ts";
import { getOrganisation, subtree } from "../organisations/organisations.service.ts";
import { applyEdit, type EditorInput } from "./editor.ts";
import { responsesSheet, resultsSheet } from "./exports.ts";
import { posterPdf, qrSvg } from "./poster.ts";
import { allQuestions } from "./questionnaire.ts";
import { CommentsView, channelsForLinks, type DistributionLink, DistributionView, EditorView } from "./surveys.manage.views.tsx";
import {
  commentReviewSchema,
  commentsQuerySchema,
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
  kioskKey,
  listComments,
  listSurveys,
  maskPersonalData,
  previewPublication,
  publishDraft,
  reviewComment,
  type Survey,
  saveDraft,
  surveyResults,
  surveySettings,
  surveyTemplates,
  updateSurveySettings,
} from "./surveys.service.ts";
import { ResultsView, SurveyList } from "./surveys.views.tsx";

/** Sites listed on the distribution page: the survey's organisation and, below it, at most this many. */
const MAX_SITES = 200;

/** Staff pages of surveys: list and creation, results and exports, distribution, editor, comments. */
export async function surveysRoutes(app: App, deps: AppDeps): Promise<void> {
  const { db, config } = deps;
  const baseUrl = config.baseUrl.replace(/\/$/, "");

  /** Re-shows a form with the French message of a refused input; anything else is not the person's doing. */
  const refused = (error: unknown, body: unknown): FormState => {
    if (!(error instanceof AppError) || error.status >= 500 || error.status === 404 || error.status === 403) throw error;
    return { values: submittedValues(body), errors: error.fields ?? { _: error.message } };
  };

  const trail = (org: { id: string; name: string }, survey: Survey | undefined, last: string) => [
    { label: org.name, href: `/organisations/${org.id}` },
    { label: "Enquêtes", href: `/organisations/${org.id}/surveys` },
    ...(survey ? [{ label: survey.title, href: `/organisations/${org.id}/surveys/${survey.id}` }] : []),
    { label: last },
  ];

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
        return reply.redirect(`/organisations/${orgId}/surveys/${survey.id}/diffusion?ok=survey.created`, 303);
      } catch (error) {
        return sendPage(reply, request, await listPage(request, orgId, refused(error, request.body)), (error as AppError).status);
      }
    },
  );

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

  // ------------------------------------------------------------ distribution

  const linkFor = (survey: Survey, siteId: string, channel: Channel | undefined) => {
    const query = new URLSearchParams();
    if (siteId !== survey.orgId) query.set("site", siteId);
    if (channel && !survey.channel) query.set("canal", channel);
    const q = query.toString();
    return { url: `${baseUrl}/s/${survey.orgId}/${survey.id}${q ? `?${q}` : ""}`, query: q };
  };

  const distributionPage = async (request: FastifyRequest, orgId: string, surveyId: string, form: FormState): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    const survey = await getSurvey(db, orgId, surveyId);
    const settings = await surveySettings(db, orgId, surveyId);
    const canManage = can(actorOf(request), "commitment.manage", org.path);
    const sites = (await subtree(db, orgId)).slice(0, MAX_SITES + 1);
    const links: DistributionLink[] = sites.flatMap((site) =>
      channelsForLinks(survey).map((channel) => {
        const { url, query } = linkFor(survey, site.id, channel);
        const title = `Code QR du questionnaire — ${site.name}, ${CHANNEL_LABELS[channel]}`;
        return { siteId: site.id, siteName: site.name, channel, url, query, qrSvg: site.id === orgId ? qrSvg(url, title) : undefined };
      }),
    );
    const kioskUrl = canManage
      ? `${baseUrl}/borne/${orgId}/${surveyId}/${await kioskKey(db, { orgId, id: surveyId, kioskNonce: settings.kioskNonce })}`
      : null;
    return {
      title: `Diffusion — ${survey.title}`,
      breadcrumbs: trail(org, survey, "Diffusion"),
      children: (
        <DistributionView
          survey={survey}
          orgId={orgId}
          links={links}
          kioskUrl={kioskUrl}
          settings={settings}
          canManage={canManage}
          csrf={request.csrfToken}
          form={form}
        />
      ),
    };
  };

  app.get(
    "/organisations/:orgId/surveys/:surveyId/diffusion",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      return sendPage(reply, request, await distributionPage(request, orgId, surveyId, emptyForm()));
    },
  );

  app.post(
    "/organisations/:orgId/surveys/:surveyId/reglages",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      try {
        const input = parseInput(settingsSchema, request.body);
        await updateSurveySettings(db, actorOf(request), orgId, surveyId, input);
        return reply.redirect(`/organisations/${orgId}/surveys/${surveyId}/diffusion?ok=survey.settings`, 303);
      } catch (error) {
        const form = refused(error, request.body);
        return sendPage(reply, request, await distributionPage(request, orgId, surveyId, form), (error as AppError).status);
      }
    },
  );

  const linkOf = async (request: FastifyRequest) => {
    const { orgId, surveyId } = parseInput(surveyParams, request.params);
    const { site, canal } = parseInput(linkQuerySchema, request.query);
    const survey = await getSurvey(db, orgId, surveyId);
    const siteOrg = await getOrganisation(db, site ?? orgId);
    if (!siteOrg.path.includes(orgId))
      throw new AppError("http.not_found", { message: "Ce site ne dépend pas de l'organisation de l'enquête." });
    const channel = (survey.channel as Channel | null) ?? canal;
    return { survey, site: siteOrg, channel, ...linkFor(survey, siteOrg.id, channel) };
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

  // ------------------------------------------------------------ editor

  const editorPage = async (
    request: FastifyRequest,
    orgId: string,
    surveyId: string,
    form: FormState,
    correction = false,
  ): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    const survey = await getSurvey(db, orgId, surveyId);
    return {
      title: `Questionnaire — ${survey.title}`,
      breadcrumbs: trail(org, survey, "Questionnaire"),
      children: (
        <EditorView
          survey={survey}
          orgId={orgId}
          draft={await draftOf(db, orgId, surveyId)}
          preview={await previewPublication(db, orgId, surveyId, correction)}
          csrf={request.csrfToken}
          form={form}
        />
      ),
    };
  };

  app.get(
    "/organisations/:orgId/surveys/:surveyId/questionnaire",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      return sendPage(reply, request, await editorPage(request, orgId, surveyId, emptyForm()));
    },
  );

  app.post(
    "/organisations/:orgId/surveys/:surveyId/questionnaire",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      const body = (request.body ?? {}) as EditorInput;
      try {
        const version = Number(body.version);
        const draft = await draftOf(db, orgId, surveyId);
        if (version !== draft.version) throw new AppError("survey.stale");
        await saveDraft(db, actorOf(request), orgId, surveyId, version, applyEdit(draft.questionnaire, body));
        return reply.redirect(`/organisations/${orgId}/surveys/${surveyId}/questionnaire?ok=survey.draft`, 303);
      } catch (error) {
        const form = refused(error, request.body);
        return sendPage(reply, request, await editorPage(request, orgId, surveyId, form), (error as AppError).status);
      }
    },
  );

  app.post(
    "/organisations/:orgId/surveys/:surveyId/questionnaire/publier",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      try {
        const input = parseInput(publishSchema, request.body);
        const decision = await publishDraft(db, actorOf(request), orgId, surveyId, input);
        const ok = decision.action === "new_version" ? "survey.new_version" : "survey.published";
        return reply.redirect(`/organisations/${orgId}/surveys/${surveyId}/questionnaire?ok=${ok}`, 303);
      } catch (error) {
        const form = refused(error, request.body);
        return sendPage(reply, request, await editorPage(request, orgId, surveyId, form), (error as AppError).status);
      }
    },
  );

  // ------------------------------------------------------------ comments

  const commentsPage = async (request: FastifyRequest, orgId: string, surveyId: string): Promise<PageOptions> => {
    const org = await getOrganisation(db, orgId);
    const survey = await getSurvey(db, orgId, surveyId);
    const parsed = commentsQuerySchema.safeParse(request.query);
    const filter = parsed.success ? parsed.data : {};
    const comments = await listComments(db, orgId, surveyId, filter);
    const sites = Object.fromEntries((await subtree(db, orgId)).map((o) => [o.id, o.name]));
    return {
      title: `Commentaires — ${survey.title}`,
      breadcrumbs: trail(org, survey, "Commentaires"),
      children: (
        <CommentsView
          survey={survey}
          orgId={orgId}
          comments={comments}
          labels={Object.fromEntries(allQuestions(survey.questionnaire).map((q) => [q.id, q.label]))}
          sites={sites}
          filter={filter}
          canModerate={can(actorOf(request), "commitment.manage", org.path)}
          csrf={request.csrfToken}
          suggest={maskPersonalData}
        />
      ),
    };
  };

  app.get(
    "/organisations/:orgId/surveys/:surveyId/commentaires",
    { config: { access: onOrg("request.read") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      return sendPage(reply, request, await commentsPage(request, orgId, surveyId));
    },
  );

  app.post(
    "/organisations/:orgId/surveys/:surveyId/commentaires",
    { config: { access: onOrg("commitment.manage") }, schema: { hide: true } },
    async (request, reply) => {
      const { orgId, surveyId } = parseInput(surveyParams, request.params);
      try {
        const input = parseInput(commentReviewSchema, request.body);
        await reviewComment(db, actorOf(request), orgId, input);
        return reply.redirect(`/organisations/${orgId}/surveys/${surveyId}/commentaires?ok=comment.reviewed`, 303);
      } catch (error) {
        const form = refused(error, request.body);
        const page = await commentsPage(request, orgId, surveyId);
        return sendPage(
          reply,
          request,
          { ...page, flash: undefined, children: [<ErrorBlock form={form} />, page.children] },
          (error as AppError).status,
        );
      }
    },
  );
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
