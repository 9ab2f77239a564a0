import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { type AuditActor, auditActor, recordAudit } from "../audit/audit.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { allQuestions, parseQuestionnaire, type Questionnaire } from "./questionnaire.ts";
import * as repo from "./surveys.repository.ts";
import { loadSurveyTemplates, type SurveyTemplate } from "./templates.ts";

/** Surveys themselves: made from a template, listed, read, and the public form's survey (cached a few seconds). Part of the surveys module's service (surveys.service.ts). */
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

/**
 * Surveys can be answered from a shared counter kiosk: more generous than the complaint form's 5 an
 * hour. Counted per browser (address and browser cookie), with a far higher ceiling per address, so
 * the people of a town hall behind one address do not share one allowance.
 */
export const SURVEY_RATE = { max: 60, windowMs: 3600_000 };
export const SURVEY_ADDRESS_RATE = { max: 1000, windowMs: 3600_000 };

export const notFound = () => new AppError("http.not_found", { message: "Enquête introuvable." });

export function toSurvey(row: repo.SurveyRow): Survey {
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

/** What the answer path knows of a survey: its current version and where it lives. */
export interface PublicSurvey {
  orgId: string;
  id: string;
  title: string;
  channel: string | null;
  version: number;
  questionnaire: Questionnaire;
  orgName: string;
  timeZone: string;
  orgPath: string[];
  kioskNonce: string;
}

/**
 * The public path reads the same few rows for every answer: they are kept a few seconds. A change
 * made on this server (closing, a new version) forgets them at once; another app server sees it
 * within `CACHE_MS`, which is the price of answering a rush at the counter without a read per answer.
 */
const CACHE_MS = 5_000;
const cache = new WeakMap<object, Map<string, { at: number; value: PublicSurvey | null }>>();

export function forgetSurvey(db: Kysely<DB>, orgId: string, surveyId: string): void {
  cache.get(db)?.delete(`${orgId}/${surveyId}`);
}

async function loadPublicSurvey(db: Kysely<DB>, orgId: string, surveyId: string): Promise<PublicSurvey | null> {
  const row = await repo.findPublicSurvey(db, orgId, surveyId);
  if (row?.status !== "open") return null;
  const org = await getOrganisation(db, orgId);
  const parsed = parseQuestionnaire(row.definition);
  if (!parsed.ok) throw new Error(`Questionnaire illisible en base : enquête ${row.id}, version ${row.version}.`);
  return {
    orgId,
    id: row.id,
    title: row.title,
    channel: row.channel,
    version: row.version,
    questionnaire: parsed.questionnaire,
    orgName: org.name,
    timeZone: org.timeZone,
    orgPath: org.path,
    kioskNonce: row.kioskNonce,
  };
}

/** A survey the public may answer (open), from the short cache. */
export async function publicSurvey(db: Kysely<DB>, orgId: string, surveyId: string, now = Date.now()): Promise<PublicSurvey> {
  let entries = cache.get(db);
  if (!entries) {
    entries = new Map();
    cache.set(db, entries);
  }
  const key = `${orgId}/${surveyId}`;
  let hit = entries.get(key);
  if (!hit || now - hit.at > CACHE_MS) {
    hit = { at: now, value: await loadPublicSurvey(db, orgId, surveyId) };
    entries.set(key, hit);
  }
  if (!hit.value) throw new AppError("http.not_found", { message: "Cette enquête est terminée ou n'existe pas. Merci de votre intérêt." });
  return hit.value;
}

/** Kept for the pages: the open survey and its organisation's name. */
export async function openSurvey(db: Kysely<DB>, orgId: string, surveyId: string): Promise<{ survey: PublicSurvey; orgName: string }> {
  const survey = await publicSurvey(db, orgId, surveyId);
  return { survey, orgName: survey.orgName };
}

export const questionCount = (s: Survey) => allQuestions(s.questionnaire).length;

/** The sites under `root` that received survey answers during `year` (the yearly obligations view). */
export const sitesSurveyedIn = repo.sitesSurveyedIn;
