import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { checkRate, pruneRateEvents, rateKeyHash, takeHit } from "../../kernel/rate-limit.ts";
import type { Actor } from "../../kernel/roles.ts";
import { localDay } from "../../kernel/time.ts";
import { notify } from "../alerts/alerts.service.ts";
import { type AuditActor, auditActor, recordAudit } from "../audit/audit.service.ts";
import { CHANNEL_LABELS, CHANNELS, type Channel } from "../frameworks/channels.ts";
import { searchCommitments } from "../frameworks/frameworks.service.ts";
import type { IndicatorBatchSource, IndicatorSource, IndicatorValue, Period } from "../indicators/indicator.ts";
import { emitEvent } from "../integrations/webhooks.service.ts";
import { getOrganisation, organisationsInScope } from "../organisations/organisations.service.ts";
import { type Answers, checkResponse, type ResponseInput } from "./answers.ts";
import { issueFormToken, signForm, verifyFormToken } from "./form-token.ts";
import {
  allQuestions,
  measuresSatisfaction,
  parseQuestionnaire,
  type Question,
  type Questionnaire,
  unknownCommitments,
} from "./questionnaire.ts";
import { ANSWERED, countsOf, headlineQuestion, tallyOf } from "./rollup.ts";
import { compareRates, type Difference, netSatisfaction, rateEstimate, type SentimentCounts, satisfactionRate } from "./statistics.ts";
import * as repo from "./surveys.repository.ts";
import { type MonthPoint, monthlyTrend, type QuestionSummary, type QuestionTally, sentimentCounts, summarise } from "./tally.ts";
import { loadSurveyTemplates, type SurveyTemplate } from "./templates.ts";
import { decideVersion, type VersionDecision } from "./versioning.ts";

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

/**
 * Surveys can be answered from a shared counter kiosk: more generous than the complaint form's 5 an
 * hour. Counted per browser (address and browser cookie), with a far higher ceiling per address, so
 * the people of a town hall behind one address do not share one allowance.
 */
export const SURVEY_RATE = { max: 60, windowMs: 3600_000 };
export const SURVEY_ADDRESS_RATE = { max: 1000, windowMs: 3600_000 };

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

/** The site an answer is about: the survey's organisation, or one below it named in the link. */
export async function answerSite(
  db: Kysely<DB>,
  survey: PublicSurvey,
  siteId: unknown,
): Promise<{ id: string; name: string; path: string[] }> {
  if (typeof siteId !== "string" || siteId === "" || siteId === survey.orgId)
    return { id: survey.orgId, name: survey.orgName, path: survey.orgPath };
  const site = /^[0-9a-f-]{36}$/.test(siteId) ? await getOrganisation(db, siteId).catch(() => undefined) : undefined;
  if (!site?.path.includes(survey.orgId))
    throw new AppError("http.not_found", { message: "Ce lien d'enquête ne correspond à aucun site." });
  return { id: site.id, name: site.name, path: site.path };
}

export const formTokenFor = (db: Kysely<DB>, survey: { orgId: string; id: string }) => issueFormToken(db, survey.orgId, survey.id);

export const EXPIRED_FORM_MESSAGE = "Ce formulaire a expiré ou n'est pas valide : vérifiez vos réponses et envoyez-les de nouveau.";
export const ALREADY_SENT_MESSAGE = "Ce questionnaire a déjà été envoyé : votre avis n'est enregistré qu'une fois. Merci !";
export const INVITATION_USED_MESSAGE = "Cette invitation a déjà servi : une seule réponse est enregistrée par invitation. Merci !";
export const INVITATION_UNKNOWN_MESSAGE = "Ce lien d'invitation n'est pas valide. Vous pouvez répondre à l'enquête sans invitation.";

export type ResponseOutcome = "recorded" | "ignored";

export interface ResponseSubmission {
  answers: ResponseInput;
  formToken: unknown;
  honeypot: unknown;
  /** The client's address. */
  source: string;
  /** The browser's own cookie, when there is one: the per-source limit then applies per browser. */
  browser?: string | undefined;
  site?: unknown;
  via?: "link" | "api";
  invitation?: unknown;
  /** The channel named in the link, for a survey offered on every channel. */
  channel?: unknown;
}

/** The survey's own channel wins; a survey for every channel takes the link's, else « Internet ». */
export function answerChannel(survey: { channel: string | null }, given: unknown): Channel {
  if (survey.channel) return survey.channel as Channel;
  return (CHANNELS as readonly unknown[]).includes(given) ? (given as Channel) : "web";
}

const hashOf = (token: string) => createHash("sha256").update(token).digest("base64url");

/** A well-formed invitation token, or nothing: anything else in the link is refused before any read. */
function invitationToken(value: unknown): string | undefined {
  return typeof value === "string" && /^[A-Za-z0-9_-]{32}$/.test(value) ? value : undefined;
}

/**
 * Records one public response. Order matters: a wrong answer is shown back without counting
 * against the rate limit; the honeypot is answered as a success; the form token is burnt only by a
 * stored response, so a refused form can be corrected and sent with the same token.
 */
export async function recordResponse(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  input: ResponseSubmission,
  now = new Date(),
): Promise<ResponseOutcome> {
  const survey = await publicSurvey(db, orgId, surveyId);
  const site = await answerSite(db, survey, input.site);
  const source = `${input.source}|${input.browser ?? ""}`;
  const answers = checkedAnswers(survey.questionnaire, input.answers);
  // A robot filled the hidden field: counted against its limit, thanked as if stored, nothing stored.
  if (typeof input.honeypot === "string" && input.honeypot !== "") {
    await checkRate(db, "survey-response", source, SURVEY_RATE, now);
    return "ignored";
  }
  const tokenHash = await verifyFormToken(db, orgId, surveyId, input.formToken, now);
  if (!tokenHash) throw new AppError("validation", { message: EXPIRED_FORM_MESSAGE, fields: { _: EXPIRED_FORM_MESSAGE } });
  const invitation = input.invitation === undefined || input.invitation === "" ? undefined : invitationToken(input.invitation);
  if (input.invitation !== undefined && input.invitation !== "" && !invitation)
    throw new AppError("validation", { message: INVITATION_UNKNOWN_MESSAGE, fields: { _: INVITATION_UNKNOWN_MESSAGE } });
  await takeHit(db, "survey-response:address", input.source, SURVEY_ADDRESS_RATE, now);
  await store(db, survey, site, answers, {
    channel: answerChannel(survey, input.channel),
    answeredOn: dayIn(survey.timeZone, now),
    formTokenHash: tokenHash,
    via: invitation ? "invitation" : (input.via ?? "link"),
    invitationHash: invitation ? hashOf(invitation) : null,
    rate: { bucket: "survey-response", source, limit: SURVEY_RATE, now },
  });
  return "recorded";
}

function checkedAnswers(questionnaire: Questionnaire, input: ResponseInput): Answers {
  const checked = checkResponse(questionnaire, input);
  if (checked.ok) return checked.answers;
  const fields: Record<string, string> = {};
  for (const e of checked.errors) fields[e.questionId ?? "_"] ??= e.message;
  throw new AppError("validation", { fields });
}

async function store(
  db: Kysely<DB>,
  survey: PublicSurvey,
  site: { id: string; path: string[] },
  answers: Answers,
  how: {
    channel: Channel;
    answeredOn: string;
    formTokenHash: string;
    via: repo.ResponseInsert["via"];
    invitationHash: string | null;
    rate: { bucket: string; source: string; limit: { max: number; windowMs: number }; now: Date };
  },
): Promise<void> {
  const { bucket, source, limit, now } = how.rate;
  const rate: repo.RateCheck = {
    bucket,
    keyHash: rateKeyHash(bucket, source, now),
    since: new Date(now.getTime() - limit.windowMs),
    now,
    max: limit.max,
  };
  // The rate check is in the answer's own statement (one round trip, one commit); old events are pruned now and then.
  if (Math.random() < 0.001) await pruneRateEvents(db, now);
  const insert: repo.ResponseInsert = {
    surveyId: survey.id,
    version: survey.version,
    channel: how.channel,
    answeredOn: how.answeredOn,
    answers,
    formTokenHash: how.formTokenHash,
    siteId: site.id,
    sitePath: site.path,
    via: how.via,
    invitationHash: how.invitationHash,
    counts: countsOf(survey.questionnaire, answers),
    comments: allQuestions(survey.questionnaire)
      .filter((q) => q.type === "text" && typeof answers[q.id] === "string" && answers[q.id] !== "")
      .map((q) => q.id),
  };
  // « Très mécontent »: the lowest of a five-face smiley question (a three-face one has no « très »), or « Très
  // insatisfait », the lowest of a 1-to-5 scale (the annual survey's own words for it).
  const veryUnhappy = allQuestions(survey.questionnaire).some(
    (q) => ((q.type === "smiley" && q.levels !== 3) || q.type === "scale") && String(answers[q.id]) === "1",
  );
  // The answer, its alerts and its webhook deliveries (survey.answered) go together or not at all.
  const answered = async (trx: Kysely<DB>) => {
    await alertOnAnswer(trx, survey, site.id, how.formTokenHash, { veryUnhappy, comments: insert.comments.length });
    await emitEvent(trx, {
      type: "survey.answered",
      orgId: site.id,
      data: {
        surveyId: survey.id,
        surveyOrgId: survey.orgId,
        version: survey.version,
        channel: how.channel,
        answeredOn: how.answeredOn,
        via: how.via,
      },
    });
  };
  if (!how.invitationHash) {
    await db.transaction().execute(async (trx) => {
      const { limited, recorded } = await repo.insertResponse(trx, survey.orgId, insert, rate);
      if (limited) throw new AppError("rate.limited");
      if (!recorded) throw new AppError("validation", { message: ALREADY_SENT_MESSAGE, fields: { _: ALREADY_SENT_MESSAGE } });
      await answered(trx);
    });
    return;
  }
  const invitationHash = how.invitationHash;
  // With an invitation, the invitation and the response go together or not at all.
  await db.transaction().execute(async (trx) => {
    const { limited, recorded, invited } = await repo.insertResponse(trx, survey.orgId, insert, rate);
    if (limited) throw new AppError("rate.limited");
    if (recorded) return answered(trx);
    if (invited) throw new AppError("validation", { message: ALREADY_SENT_MESSAGE, fields: { _: ALREADY_SENT_MESSAGE } });
    const state = await repo.invitationState(trx, survey.orgId, survey.id, invitationHash);
    const message = state === "used" ? INVITATION_USED_MESSAGE : state === "unknown" ? INVITATION_UNKNOWN_MESSAGE : ALREADY_SENT_MESSAGE;
    throw new AppError("validation", { message, fields: { _: message } });
  });
}

/**
 * Alerts of an answer (issue #15, point 3): « très mécontent », and comments waiting for moderation. Keyed by
 * the answer form's token hash, which a second post of the same form cannot reuse: one answer, one alert.
 */
async function alertOnAnswer(
  trx: Kysely<DB>,
  survey: PublicSurvey,
  siteId: string,
  formTokenHash: string,
  what: { veryUnhappy: boolean; comments: number },
): Promise<void> {
  const subject = { type: "survey" as const, id: survey.id };
  const link = `/organisations/${survey.orgId}/surveys/${survey.id}`;
  if (what.veryUnhappy) {
    await notify(trx, {
      orgId: siteId,
      kind: "survey_very_unhappy",
      key: formTokenHash,
      subject,
      title: `Réponse « très mécontent » à l'enquête « ${survey.title} »`,
      text: `Une personne a répondu « très mécontent » à l'enquête « ${survey.title} ».`,
      link,
    });
  }
  if (what.comments > 0) {
    await notify(trx, {
      orgId: siteId,
      kind: "comment_to_moderate",
      key: formTokenHash,
      subject,
      title: `Commentaire à modérer : enquête « ${survey.title} »`,
      text: `Une réponse à l'enquête « ${survey.title} » porte ${what.comments > 1 ? `${what.comments} commentaires` : "un commentaire"} à relire avant publication.`,
      link,
    });
  }
}

export function dayIn(timeZone: string, now: Date): string {
  return localDay(timeZone, now);
}

// ---------------------------------------------------------------- invitations

/**
 * An invitation for the survey that the organisation (or its nearest ancestor) sends after an
 * answer, as the link to add to the answer e-mail; null when none is set. Called in the
 * transaction that writes the e-mail, so the invitation exists exactly when the e-mail does.
 * Nothing ties the invitation to the request or the person: only the token's hash is kept.
 */
export async function invitationFor(db: Kysely<DB>, orgPath: string[], orgId: string, baseUrl: string): Promise<string | null> {
  const survey = await repo.invitingSurvey(db, orgPath);
  if (!survey) return null;
  const token = randomBytes(24).toString("base64url");
  await repo.insertInvitation(db, survey.orgId, survey.id, hashOf(token));
  const site = survey.orgId === orgId ? "" : `&site=${orgId}`;
  return `${baseUrl.replace(/\/$/, "")}/s/${survey.orgId}/${survey.id}?invitation=${token}${site}`;
}

/** Whether an invitation link can still be answered: checked when the form is shown, to say so at once. */
export async function invitationStatus(db: Kysely<DB>, survey: PublicSurvey, token: unknown): Promise<"unused" | "used" | "unknown"> {
  const valid = invitationToken(token);
  if (!valid) return "unknown";
  return repo.invitationState(db, survey.orgId, survey.id, hashOf(valid));
}

// ---------------------------------------------------------------- kiosk

/**
 * The key of a kiosk link: an HMAC of the survey and its kiosk nonce, so it needs no table, and
 * « revoke the kiosk links » is one new nonce. Whoever holds it may post answers without a form
 * token (the tablet may be offline when it collects them); each answer carries its own random id.
 */
export async function kioskKey(db: Kysely<DB>, survey: { orgId: string; id: string; kioskNonce: string }): Promise<string> {
  return (await signForm(db, `kiosk|${survey.orgId}|${survey.id}|${survey.kioskNonce}`)).slice(0, 32);
}

export const KIOSK_RATE = { max: 1200, windowMs: 3600_000 };
/** Answers kept on a tablet that lost its network are accepted for a week, with the day they were given. */
const KIOSK_MAX_DELAY_DAYS = 7;

export interface KioskAnswer {
  /** Random id made by the tablet: sending the same answer twice (a lost acknowledgement) counts it once. */
  id: string;
  answers: Record<string, unknown>;
  /** When it was given, as the tablet's clock says (ISO); for answers sent late. */
  at?: string | undefined;
}

export async function recordKioskAnswer(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  key: string,
  site: unknown,
  answer: KioskAnswer,
  now = new Date(),
): Promise<"recorded" | "duplicate"> {
  const survey = await publicSurvey(db, orgId, surveyId);
  const expected = await kioskKey(db, survey);
  if (typeof key !== "string" || key.length !== expected.length || !timingSafeEqual(Buffer.from(key), Buffer.from(expected)))
    throw new AppError("http.not_found", { message: "Ce lien de borne n'est plus valable : demandez-en un nouveau." });
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(answer.id)) throw new AppError("validation", { fields: { id: "Identifiant de réponse invalide." } });
  const siteOf = await answerSite(db, survey, site);
  const answers = checkedAnswers(survey.questionnaire, answer.answers);
  let day = dayIn(survey.timeZone, now);
  const given = answer.at ? new Date(answer.at) : undefined;
  if (given && !Number.isNaN(+given) && +given <= +now && +now - +given < KIOSK_MAX_DELAY_DAYS * 86400_000)
    day = dayIn(survey.timeZone, given);
  try {
    await store(db, survey, siteOf, answers, {
      // A kiosk stands at a counter.
      channel: answerChannel(survey, "counter"),
      answeredOn: day,
      formTokenHash: hashOf(`kiosk|${key}|${answer.id}`),
      via: "kiosk",
      invitationHash: null,
      rate: { bucket: "survey-kiosk", source: key, limit: KIOSK_RATE, now },
    });
  } catch (error) {
    if (error instanceof AppError && error.fields?._ === ALREADY_SENT_MESSAGE) return "duplicate";
    throw error;
  }
  return "recorded";
}

// ---------------------------------------------------------------- settings and editing

async function settingsOf(db: Kysely<DB>, orgId: string, surveyId: string): Promise<repo.SurveySettings> {
  const settings = await repo.surveySettings(db, orgId, surveyId);
  if (!settings) throw notFound();
  return settings;
}

export async function surveySettings(db: Kysely<DB>, orgId: string, surveyId: string) {
  return settingsOf(db, orgId, surveyId);
}

/** Opens or closes a survey, turns invitations on or off, revokes kiosk links. Versioned: 409 on a stale form. */
export async function updateSurveySettings(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  surveyId: string,
  input: {
    version: number;
    status?: "open" | "closed" | undefined;
    inviteAfterAnswer?: boolean | undefined;
    rotateKiosk?: boolean | undefined;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await settingsOf(trx, orgId, surveyId);
    const ok = await repo.updateSurvey(trx, orgId, surveyId, input.version, input);
    if (!ok) throw new AppError("survey.stale");
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "survey",
      entityId: surveyId,
      before: { status: before.status, inviteAfterAnswer: before.inviteAfterAnswer },
      after: {
        status: input.status ?? before.status,
        inviteAfterAnswer: input.inviteAfterAnswer ?? before.inviteAfterAnswer,
        ...(input.rotateKiosk ? { kioskLinksRevoked: true } : {}),
      },
    });
  });
  forgetSurvey(db, orgId, surveyId);
}

/** The questionnaire being edited: the saved draft, or the current version when there is none. */
export async function draftOf(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
): Promise<{ questionnaire: Questionnaire; saved: boolean; version: number }> {
  const survey = await getSurvey(db, orgId, surveyId);
  const settings = await settingsOf(db, orgId, surveyId);
  if (settings.draft) {
    const parsed = parseQuestionnaire(settings.draft);
    if (parsed.ok) return { questionnaire: parsed.questionnaire, saved: true, version: settings.version };
  }
  return { questionnaire: survey.questionnaire, saved: false, version: settings.version };
}

/** Saves a draft after checking it: the published version does not change until « publier ». */
export async function saveDraft(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  surveyId: string,
  version: number,
  definition: unknown,
): Promise<Questionnaire> {
  const parsed = parseQuestionnaire(definition);
  if (!parsed.ok) {
    const message = parsed.errors.map((e) => `${e.where} : ${e.message}`).join(" ");
    throw new AppError("validation", { message, fields: { definition: message } });
  }
  const known = await knownCommitmentIds(db);
  const unknown = unknownCommitments(parsed.questionnaire, known);
  if (unknown.length) {
    const message = `Engagement inconnu : ${unknown.join(", ")}.`;
    throw new AppError("validation", { message, fields: { definition: message } });
  }
  await db.transaction().execute(async (trx) => {
    if (!(await repo.updateSurvey(trx, orgId, surveyId, version, { draft: parsed.questionnaire }))) throw new AppError("survey.stale");
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "survey_draft",
      entityId: surveyId,
      after: parsed.questionnaire,
    });
  });
  return parsed.questionnaire;
}

async function knownCommitmentIds(db: Kysely<DB>): Promise<Set<string>> {
  return new Set((await searchCommitments(db, {})).map((c) => c.id));
}

/** What publishing the draft would do: nothing, an edit in place, or a new version, with the changes in French. */
export async function previewPublication(db: Kysely<DB>, orgId: string, surveyId: string, correction: boolean): Promise<VersionDecision> {
  const survey = await getSurvey(db, orgId, surveyId);
  const { questionnaire } = await draftOf(db, orgId, surveyId);
  const responseCount = await repo.responsesToVersion(db, orgId, surveyId, survey.version);
  return decideVersion({ number: survey.version, questionnaire: survey.questionnaire, responseCount }, questionnaire, { correction });
}

/**
 * Publishes the draft. Answers keep the version they were given on: with answers, a change of
 * structure or wording makes version n + 1 (the unique key refuses a second n + 1 from a concurrent
 * editor); a declared correction of wording is written in place and its before/after kept in the audit log.
 */
export async function publishDraft(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  surveyId: string,
  input: { version: number; correction: boolean },
): Promise<VersionDecision> {
  const decision = await db.transaction().execute(async (trx) => {
    const survey = await getSurvey(trx, orgId, surveyId);
    const { questionnaire } = await draftOf(trx, orgId, surveyId);
    const responseCount = await repo.responsesToVersion(trx, orgId, surveyId, survey.version);
    const decided = decideVersion({ number: survey.version, questionnaire: survey.questionnaire, responseCount }, questionnaire, input);
    if (!(await repo.updateSurvey(trx, orgId, surveyId, input.version, { draft: null, title: questionnaire.title })))
      throw new AppError("survey.stale");
    if (decided.action === "new_version") await repo.insertVersion(trx, orgId, surveyId, decided.number, questionnaire);
    if (decided.action === "update") await repo.replaceVersion(trx, orgId, surveyId, decided.number, questionnaire);
    if (decided.action !== "none")
      await recordAudit(trx, auditActor(actor), {
        orgId,
        action: "update",
        entity: "survey_version",
        entityId: surveyId,
        before: { version: survey.version, questionnaire: survey.questionnaire },
        after: { version: decided.number, questionnaire, changes: decided.changes, correction: input.correction },
      });
    return decided;
  });
  forgetSurvey(db, orgId, surveyId);
  return decision;
}

// ---------------------------------------------------------------- results

/** Map.groupBy arrives with Node 21; Vigie runs on Node 20. */
function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}

export interface QuestionResult {
  question: Question;
  /** Section title, to group the page. */
  section: string | undefined;
  opinion: boolean;
  summary: QuestionSummary;
  months: MonthPoint[];
}

export interface GroupResult {
  key: string;
  label: string;
  summary: QuestionSummary;
  /** Against all the other groups together, when the headline question is an opinion. */
  difference: Difference | null;
}

export interface ResultsFilter {
  from: string;
  to: string;
  site?: string | undefined;
  channel?: string | undefined;
}

export interface SurveyResults {
  survey: Survey;
  filter: ResultsFilter;
  responses: number;
  headline: Question | undefined;
  questions: QuestionResult[];
  /** The headline question per channel and per site, each against the rest. */
  byChannel: GroupResult[];
  bySite: GroupResult[];
  sites: Array<{ id: string; name: string }>;
  invitations: { sent: number; used: number };
}

/** January of last year to today: enough for a trend, and the default period of the results page. */
export function defaultPeriod(today: string): { from: string; to: string } {
  return { from: `${Number(today.slice(0, 4)) - 1}-01-01`, to: today };
}

/**
 * Per question: the distribution, the satisfaction rate and net satisfaction with their intervals,
 * one point per month; the headline question compared across channels and sites. Everything is
 * read from the per-survey rollup, never from the responses. Question ids are kept across versions,
 * so every version's answers are pooled under the current wording.
 */
export async function surveyResults(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  filter?: Partial<ResultsFilter>,
): Promise<SurveyResults> {
  const survey = await getSurvey(db, orgId, surveyId);
  const org = await getOrganisation(db, orgId);
  const period = {
    ...defaultPeriod(dayIn(org.timeZone, new Date())),
    ...Object.fromEntries(Object.entries(filter ?? {}).filter(([, v]) => v)),
  };
  const applied: ResultsFilter = {
    from: period.from,
    to: period.to,
    site: filter?.site || undefined,
    channel: filter?.channel || undefined,
  };
  const all = await repo.answerRollup(db, orgId, surveyId, {
    fromMonth: `${applied.from.slice(0, 7)}-01`,
    toMonth: `${applied.to.slice(0, 7)}-01`,
  });
  const rows = all.filter((r) => (!applied.site || r.siteId === applied.site) && (!applied.channel || r.channel === applied.channel));
  const byQuestion = groupBy(rows, (r) => r.questionId);
  const questions: QuestionResult[] = [];
  for (const section of survey.questionnaire.sections) {
    for (const question of section.questions) {
      const qRows = byQuestion.get(question.id) ?? [];
      const summary = summarise(question, tallyOf(qRows));
      const opinion = measuresSatisfaction(question);
      const months = [...groupBy(qRows, (r) => r.month)].map(([month, list]) => ({ month, tally: tallyOf(list) }));
      questions.push({ question, section: section.title, opinion, summary, months: opinion ? monthlyTrend(question, months) : [] });
    }
  }
  const headline = headlineQuestion(survey.questionnaire);
  const headRows = headline ? all.filter((r) => r.questionId === headline.id) : [];
  // The names of the sites that have answers, in one read whatever their number (issue #13).
  const sites = await repo.answeringSites(db, orgId, surveyId);
  sites.sort((a, b) => a.name.localeCompare(b.name, "fr"));
  const siteNames = new Map(sites.map((site) => [site.id, site.name]));
  const headTally = tallyOf(headRows);
  const groups = (keyOf: (r: repo.AnswerRollupRow) => string, labelOf: (k: string) => string): GroupResult[] => {
    if (!headline) return [];
    const grouped = groupBy(headRows, keyOf);
    return [...grouped]
      .map(([key, list]) => {
        const tally = tallyOf(list);
        // « The rest » is everything minus the group: one pass over the rows, not one per group.
        const rest = tallyMinus(headTally, tally);
        const difference = grouped.size > 1 ? compareRates(sentimentCounts(headline, tally), sentimentCounts(headline, rest)) : null;
        return { key, label: labelOf(key), summary: summarise(headline, tally), difference };
      })
      .sort((a, b) => a.label.localeCompare(b.label, "fr"));
  };
  return {
    survey,
    filter: applied,
    responses: questions.reduce((max, q) => Math.max(max, q.summary.answered), 0) && countResponses(rows),
    headline,
    questions,
    byChannel: groups(
      (r) => r.channel,
      (k) => CHANNEL_LABELS[k as Channel] ?? k,
    ),
    bySite: groups(
      (r) => r.siteId,
      (k) => siteNames.get(k) ?? k,
    ),
    sites,
    invitations: await repo.invitationCounts(db, orgId, surveyId),
  };
}

function tallyMinus(total: QuestionTally, part: QuestionTally): QuestionTally {
  const counts: Record<string, number> = {};
  for (const [value, n] of Object.entries(total.counts)) counts[value] = n - (part.counts[value] ?? 0);
  return { answered: total.answered - part.answered, counts };
}

/**
 * Responses in the rollup rows: every response answers at least one question, but not always the
 * same one. The headline question is required in both templates; otherwise, the most answered
 * question is a lower bound, which is what the page says.
 */
function countResponses(rows: repo.AnswerRollupRow[]): number {
  const perQuestion = new Map<string, number>();
  for (const r of rows) if (r.value === ANSWERED) perQuestion.set(r.questionId, (perQuestion.get(r.questionId) ?? 0) + r.answers);
  return Math.max(0, ...perQuestion.values());
}

// ---------------------------------------------------------------- satisfaction up the tree

export interface SatisfactionFigures {
  overall: SentimentCounts & { answered: number };
  recommendation: SentimentCounts & { answered: number; rated8: number };
}

function sumMeasures(rows: repo.SatisfactionRollupRow[]): SatisfactionFigures {
  const zero = () => ({ answered: 0, satisfied: 0, neutral: 0, dissatisfied: 0, rated8: 0 });
  const out = { overall: zero(), recommendation: zero() };
  for (const r of rows) {
    const m = r.measure === "overall" ? out.overall : out.recommendation;
    m.answered += r.answered;
    m.satisfied += r.satisfied;
    m.neutral += r.neutral;
    m.dissatisfied += r.dissatisfied;
    m.rated8 += r.rated8;
  }
  return out;
}

const monthSpan = (from: string, to: string) => [`${from.slice(0, 7)}-01`, `${to.slice(0, 7)}-01`] as const;

/** Headline satisfaction of an organisation's subtree, all surveys and channels together, and per channel. */
export async function satisfactionOf(
  db: Kysely<DB>,
  orgId: string,
  period: { from: string; to: string },
): Promise<{ total: SatisfactionFigures; byChannel: Map<string, SatisfactionFigures>; byMonth: Map<string, SatisfactionFigures> }> {
  const rows = await repo.satisfactionRollup(db, [orgId], ...monthSpan(period.from, period.to));
  return {
    total: sumMeasures(rows),
    byChannel: new Map([...groupBy(rows, (r) => r.channel)].map(([k, v]) => [k, sumMeasures(v)])),
    byMonth: new Map([...groupBy(rows, (r) => r.month)].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sumMeasures(v)])),
  };
}

/** The same for each child of a node: the network compares its sites (each row holds the child's subtree), in one read. */
export async function satisfactionOfChildren(
  db: Kysely<DB>,
  orgId: string,
  period: { from: string; to: string },
): Promise<Array<{ orgId: string; name: string; figures: SatisfactionFigures }>> {
  const children = await organisationsInScope(db, { of: orgId, depth: "children" });
  const rows = await repo.satisfactionRollupInScope(db, { of: orgId, depth: "children" }, ...monthSpan(period.from, period.to));
  const grouped = groupBy(rows, (r) => r.orgId);
  return children.map((c) => ({ orgId: c.id, name: c.name, figures: sumMeasures(grouped.get(c.id) ?? []) }));
}

const SATISFACTION_COMMITMENTS = ["sp+2023/7", "sp+2023/6", "sp+2021/7", "sp+2021/6", "marianne-2016/10", "marianne-2008/14"];
const ONLINE_COMMITMENTS = ["sp+2021/2", "sp+2021/6", "marianne-2016/2"];

/**
 * Satisfaction figures in the shared indicator shape, for the dashboard, the annual review and the
 * published results: overall satisfaction and net satisfaction (all channels, then per channel),
 * and the share of online procedures rated 8/10 or more (Services Publics+ publication).
 */
export const surveyIndicatorSource: IndicatorSource = async (db, orgId, period: Period): Promise<IndicatorValue[]> => {
  const { total, byChannel } = await satisfactionOf(db, orgId, period);
  return surveyValues(total, byChannel);
};

/** The same for every organisation of a scope: one read of their satisfaction rollup rows, grouped here. */
export const surveyIndicatorBatch: IndicatorBatchSource = async (db, scope, period) => {
  const rows = await repo.satisfactionRollupInScope(db, scope, ...monthSpan(period.from, period.to));
  const out = new Map<string, IndicatorValue[]>();
  for (const [orgId, list] of groupBy(rows, (r) => r.orgId)) {
    const byChannel = new Map([...groupBy(list, (r) => r.channel)].map(([k, v]) => [k, sumMeasures(v)]));
    out.set(orgId, surveyValues(sumMeasures(list), byChannel));
  }
  return out;
};

function surveyValues(total: SatisfactionFigures, byChannel: Map<string, SatisfactionFigures>): IndicatorValue[] {
  const out: IndicatorValue[] = [];
  const pair = (f: SatisfactionFigures, channel: Channel | null) => {
    if (f.overall.answered === 0) return;
    const rate = satisfactionRate(f.overall);
    const net = netSatisfaction(f.overall);
    out.push({
      key: "surveys.satisfaction",
      label: "Satisfaction globale",
      unit: "share",
      value: rate?.value ?? null,
      low: rate?.low ?? null,
      high: rate?.high ?? null,
      target: null,
      better: "higher",
      sample: f.overall.answered,
      commitments: SATISFACTION_COMMITMENTS,
      channel,
    });
    out.push({
      key: "surveys.net_satisfaction",
      label: "Satisfaction nette (satisfaits moins insatisfaits)",
      unit: "points",
      value: net ? net.value * 100 : null,
      low: net ? net.low * 100 : null,
      high: net ? net.high * 100 : null,
      target: null,
      better: "higher",
      sample: f.overall.answered,
      commitments: SATISFACTION_COMMITMENTS,
      channel,
    });
  };
  pair(total, null);
  for (const [channel, figures] of byChannel) pair(figures, channel as Channel);
  const online = byChannel.get("web")?.recommendation;
  if (online && online.answered > 0) {
    const share = rateEstimate(online.rated8, online.answered);
    out.push({
      key: "surveys.online_8_or_more",
      label: "Démarches en ligne notées 8/10 ou plus",
      unit: "share",
      value: share?.value ?? null,
      low: share?.low ?? null,
      high: share?.high ?? null,
      target: null,
      better: "higher",
      sample: online.answered,
      commitments: ONLINE_COMMITMENTS,
      channel: "web",
    });
  }
  return out;
}

// ---------------------------------------------------------------- comments

export const COMMENT_THEMES: Record<string, string> = {
  accueil: "Accueil et courtoisie",
  attente: "Attente et délais",
  joignabilite: "Joignabilité (téléphone, horaires)",
  information: "Information et clarté",
  orientation: "Orientation",
  locaux: "Locaux et accessibilité",
  en_ligne: "Démarches en ligne",
  autre: "Autre",
};

const EMAIL = /[\p{L}0-9._%+-]+@[\p{L}0-9.-]+\.[\p{L}]{2,}/gu;
const PHONE = /(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}/g;
const NIR = /\b[12]\s?\d{2}\s?(?:0[1-9]|1[0-2])\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})?\b/g;

/**
 * A first pass at hiding personal data: e-mail addresses, phone numbers and social security numbers
 * become « [masqué] ». Names cannot be found reliably by pattern: the moderator reads every comment
 * and edits the text before publishing; this only pre-fills the field.
 */
export function maskPersonalData(text: string): string {
  return text.replace(EMAIL, "[masqué]").replace(NIR, "[masqué]").replace(PHONE, "[masqué]");
}

export async function listComments(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  filter: { status?: string | undefined; theme?: string | undefined },
) {
  await getSurvey(db, orgId, surveyId);
  return repo.listComments(db, orgId, surveyId, filter);
}

export async function reviewComment(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  input: {
    responseId: string;
    questionId: string;
    version: number;
    status: "pending" | "published" | "hidden";
    publishedText?: string | undefined;
    themes: string[];
  },
): Promise<void> {
  const unknownTheme = input.themes.find((t) => !(t in COMMENT_THEMES));
  if (unknownTheme) throw new AppError("validation", { fields: { themes: `Thème inconnu : ${unknownTheme}.` } });
  const text = input.publishedText?.trim();
  if (input.status === "published" && !text)
    throw new AppError("validation", { fields: { publishedText: "Saisissez le texte à publier, sans donnée personnelle." } });
  await db.transaction().execute(async (trx) => {
    const before = await repo.findComment(trx, orgId, input.responseId, input.questionId);
    if (!before) throw new AppError("http.not_found", { message: "Commentaire introuvable." });
    const ok = await repo.reviewComment(trx, orgId, input, { status: input.status, publishedText: text || null, themes: input.themes });
    if (!ok) throw new AppError("survey_comment.stale");
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "survey_comment",
      entityId: input.responseId,
      before: { status: before.status, publishedText: before.published_text, themes: before.themes },
      after: { status: input.status, publishedText: text || null, themes: input.themes },
    });
  });
}

/** Comments a moderator published, for the public results of a site or a network. */
export async function publishedComments(db: Kysely<DB>, orgId: string, limit = 10) {
  const rows = await repo.publishedComments(db, orgId, limit);
  return rows.map((r) => ({ siteId: r.site_id, answeredOn: r.answered_on, text: r.published_text ?? "", themes: r.themes }));
}

export const questionCount = (s: Survey) => allQuestions(s.questionnaire).length;

/** The sites under `root` that received survey answers during `year` (the yearly obligations view). */
export const sitesSurveyedIn = repo.sitesSurveyedIn;
