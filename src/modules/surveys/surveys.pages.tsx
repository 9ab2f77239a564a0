import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { actorOf } from "../../kernel/access.ts";
import { qrSvg } from "../../kernel/qr.ts";
import { can } from "../../kernel/roles.ts";
import type { FormState } from "../../ui/forms.tsx";
import type { PageOptions } from "../../ui/layout.tsx";
import { CHANNEL_LABELS, type Channel } from "../frameworks/channels.ts";
import { getOrganisation, subtree } from "../organisations/organisations.service.ts";
import { allQuestions } from "./questionnaire.ts";
import { CommentsView, channelsForLinks, type DistributionLink, DistributionView, EditorView } from "./surveys.manage.views.tsx";
import { commentsQuerySchema } from "./surveys.schema.ts";
import {
  draftOf,
  getSurvey,
  kioskKey,
  listComments,
  listSurveys,
  maskPersonalData,
  previewPublication,
  type Survey,
  surveySettings,
  surveyTemplates,
} from "./surveys.service.ts";
import { SurveyList } from "./surveys.views.tsx";

/** Sites listed on the distribution page: the survey's organisation and, below it, at most this many. */
const MAX_SITES = 200;

export const trail = (org: { id: string; name: string }, survey: Survey | undefined, last: string) => [
  { label: org.name, href: `/organisations/${org.id}` },
  { label: "Enquêtes", href: `/organisations/${org.id}/surveys` },
  ...(survey ? [{ label: survey.title, href: `/organisations/${org.id}/surveys/${survey.id}` }] : []),
  { label: last },
];

/** The list of surveys, with the creation form. */
export async function listPage(db: Kysely<DB>, request: FastifyRequest, orgId: string, form: FormState): Promise<PageOptions> {
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
}

/** The public address of a survey for a site and a channel. */
export function linkFor(baseUrl: string, survey: Survey, siteId: string, channel: Channel | undefined) {
  const query = new URLSearchParams();
  if (siteId !== survey.orgId) query.set("site", siteId);
  if (channel && !survey.channel) query.set("canal", channel);
  const q = query.toString();
  return { url: `${baseUrl}/s/${survey.orgId}/${survey.id}${q ? `?${q}` : ""}`, query: q };
}

/** Links, QR codes, poster and kiosk of a survey, with its settings form. */
export async function distributionPage(
  db: Kysely<DB>,
  baseUrl: string,
  request: FastifyRequest,
  orgId: string,
  surveyId: string,
  form: FormState,
): Promise<PageOptions> {
  const org = await getOrganisation(db, orgId);
  const survey = await getSurvey(db, orgId, surveyId);
  const settings = await surveySettings(db, orgId, surveyId);
  const canManage = can(actorOf(request), "commitment.manage", org.path);
  const sites = (await subtree(db, orgId)).slice(0, MAX_SITES + 1);
  const links: DistributionLink[] = sites.flatMap((site) =>
    channelsForLinks(survey).map((channel) => {
      const { url, query } = linkFor(baseUrl, survey, site.id, channel);
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
}

/** The questionnaire's draft, its editor and what publishing it would do. */
export async function editorPage(
  db: Kysely<DB>,
  request: FastifyRequest,
  orgId: string,
  surveyId: string,
  form: FormState,
  correction = false,
): Promise<PageOptions> {
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
}

/** The free-text answers to moderate. */
export async function commentsPage(db: Kysely<DB>, request: FastifyRequest, orgId: string, surveyId: string): Promise<PageOptions> {
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
}
