import type { Kysely } from "kysely";
import { AppError } from "../../app/errors.ts";
import { checkRate } from "../../app/rate-limit.ts";
import type { DB } from "../../db/schema.ts";
import type { Actor } from "../accounts/roles.ts";
import { type AuditActor, auditActor, recordAudit } from "../audit/audit.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { type Answers, checkResponse, type ResponseInput } from "./answers.ts";
import { issueFormToken, verifyFormToken } from "./form-token.ts";
import { allQuestions, measuresSatisfaction, parseQuestionnaire, type Question, type Questionnaire } from "./questionnaire.ts";
import * as repo from "./surveys.repository.ts";
import { type MonthPoint, mergeTallies, monthlyTrend, type QuestionSummary, summarise, tallyByMonth } from "./tally.ts";
import { loadSurveyTemplates, type SurveyTemplate } from "./templates.ts";

/** The surveys module's public surface: create from a template, list, answer, read results. */
export interface Survey {
  orgId: string;
  id: string;
  title: string;
  channel: string | null;
  template: string;
  status: "open" | "closed";
  createdAt: Date;
  version: number;
  questionnaire: Questionnaire;
  responses: number;
}

let templates: SurveyTemplate[] | undefined;
/** The shipped templates, read once: they change only with a new release. */
export function surveyTemplates(): SurveyTemplate[] {
  templates ??= loadSurveyTemplates();
  return templates;
}

/** Surveys can be answered from a shared counter kiosk: more generous than the complaint form's 5 an hour. */
export const SURVEY_RATE = { max: 60, windowMs: 3600_000 };

const notFound = () => new AppError("http.not_found", { message: "Enquête introuvable." });

function toSurvey(row: repo.SurveyRow): Survey {
  // Definitions are checked before they are stored; a failure here is a corrupted row, a bug.
  const parsed = parseQuestionnaire(row.definition);
  if (!parsed.ok) throw new Error(`Questionnaire illisible en base : enquête ${row.id}, version ${row.version}.`);
  return { ...row, status: row.status === "closed" ? "closed" : "open", questionnaire: parsed.questionnaire };
}

export async function createSurvey(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  input: { template: string; channel?: string | undefined },
): Promise<Survey> {
  const template = surveyTemplates().find((t) => t.id === input.template);
  if (!template) throw new AppError("validation", { fields: { template: "Choisissez un modèle de questionnaire." } });
  return db.transaction().execute(async (trx) => {
    const id = await repo.insertSurvey(trx, orgId, {
      title: template.questionnaire.title,
      channel: input.channel ?? null,
      template: template.id,
      definition: template.questionnaire,
    });
    const author: AuditActor = auditActor(actor);
    await recordAudit(trx, author, {
      orgId,
      action: "create",
      entity: "survey",
      entityId: id,
      after: { template: template.id, channel: input.channel ?? null, title: template.questionnaire.title },
    });
    return getSurvey(trx, orgId, id);
  });
}

export async function listSurveys(db: Kysely<DB>, orgId: string): Promise<Survey[]> {
  return (await repo.listSurveys(db, orgId)).map(toSurvey);
}

export async function getSurvey(db: Kysely<DB>, orgId: string, surveyId: string): Promise<Survey> {
  const row = await repo.findSurvey(db, orgId, surveyId);
  if (!row) throw notFound();
  return toSurvey(row);
}

/** A survey the public may answer: open, and its organisation's name for the page. */
export async function openSurvey(db: Kysely<DB>, orgId: string, surveyId: string): Promise<{ survey: Survey; orgName: string }> {
  const survey = await getSurvey(db, orgId, surveyId);
  if (survey.status !== "open") throw new AppError("http.not_found", { message: "Cette enquête est terminée. Merci de votre intérêt." });
  const org = await getOrganisation(db, orgId);
  return { survey, orgName: org.name };
}

export const formTokenFor = (db: Kysely<DB>, survey: Survey) => issueFormToken(db, survey.orgId, survey.id);

export const EXPIRED_FORM_MESSAGE = "Ce formulaire a expiré ou n'est pas valide : vérifiez vos réponses et envoyez-les de nouveau.";
export const ALREADY_SENT_MESSAGE = "Ce questionnaire a déjà été envoyé : votre avis n'est enregistré qu'une fois. Merci !";

export type ResponseOutcome = "recorded" | "ignored";

/**
 * Records one public response. Order matters: a wrong answer is shown back without counting
 * against the rate limit; the honeypot is answered as a success; the form token is burnt only by a
 * stored response, so a refused form can be corrected and sent with the same token.
 */
export async function recordResponse(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  input: { answers: ResponseInput; formToken: unknown; honeypot: unknown; source: string },
  now = new Date(),
): Promise<ResponseOutcome> {
  const { survey } = await openSurvey(db, orgId, surveyId);
  const checked = checkResponse(survey.questionnaire, input.answers);
  if (!checked.ok) {
    const fields: Record<string, string> = {};
    for (const e of checked.errors) fields[e.questionId ?? "_"] ??= e.message;
    throw new AppError("validation", { fields });
  }
  await checkRate(db, "survey-response", input.source, SURVEY_RATE, now);
  // A robot filled the hidden field: thank it as if stored, store nothing.
  if (typeof input.honeypot === "string" && input.honeypot !== "") return "ignored";
  const tokenHash = await verifyFormToken(db, orgId, surveyId, input.formToken, now);
  if (!tokenHash) throw new AppError("validation", { message: EXPIRED_FORM_MESSAGE, fields: { _: EXPIRED_FORM_MESSAGE } });
  const org = await getOrganisation(db, orgId);
  const stored = await repo.insertResponse(db, orgId, {
    surveyId,
    version: survey.version,
    channel: survey.channel ?? "web",
    answeredOn: dayIn(org.timeZone, now),
    answers: checked.answers,
    formTokenHash: tokenHash,
  });
  if (!stored) throw new AppError("validation", { message: ALREADY_SENT_MESSAGE, fields: { _: ALREADY_SENT_MESSAGE } });
  return "recorded";
}

function dayIn(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

export interface QuestionResult {
  question: Question;
  /** Section title, to group the page. */
  section: string | undefined;
  opinion: boolean;
  summary: QuestionSummary;
  months: MonthPoint[];
}

export interface SurveyResults {
  survey: Survey;
  responses: number;
  questions: QuestionResult[];
}

/**
 * Per question: the distribution, the satisfaction rate and net satisfaction with their intervals,
 * and one point per month. Read from the responses for now (one survey at a time); the monthly
 * rollup of issue #5 will feed the same tally functions. Every version shares the current version's
 * question ids: versions are not edited yet, so there is only one.
 */
export async function surveyResults(db: Kysely<DB>, orgId: string, surveyId: string): Promise<SurveyResults> {
  const survey = await getSurvey(db, orgId, surveyId);
  const rows = (await repo.responsesOf(db, orgId, surveyId)).map((r) => ({ receivedOn: r.answeredOn, answers: readAnswers(r.answers) }));
  const questions: QuestionResult[] = [];
  for (const section of survey.questionnaire.sections) {
    for (const question of section.questions) {
      const byMonth = tallyByMonth(question.id, rows);
      const summary = summarise(question, mergeTallies(byMonth.map((m) => m.tally)));
      const opinion = measuresSatisfaction(question);
      questions.push({ question, section: section.title, opinion, summary, months: opinion ? monthlyTrend(question, byMonth) : [] });
    }
  }
  return { survey, responses: rows.length, questions };
}

/** Stored answers, as written by recordResponse; anything else in the row is ignored rather than trusted. */
function readAnswers(value: unknown): Answers {
  const out: Answers = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === "string");
  }
  return out;
}

export const questionCount = (s: Survey) => allQuestions(s.questionnaire).length;
