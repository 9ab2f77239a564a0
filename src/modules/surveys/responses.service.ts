import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { checkRate, type HitCounter, hitCounter, pruneRateEvents, rateKeyHash } from "../../kernel/rate-limit.ts";
import {
  lastSettingsEpoch,
  type SettingsEpoch,
  STALE_SETTINGS,
  settingsCache,
  settingsEpoch,
  writeAtSettingsEpoch,
} from "../../kernel/settings-epoch.ts";
import { localDay } from "../../kernel/time.ts";
import { notify } from "../alerts/alerts.service.ts";
import { CHANNELS, type Channel } from "../frameworks/channels.ts";
import { emitEvent, eventListeners } from "../integrations/webhooks.service.ts";
import { getOrganisation, type Organisation } from "../organisations/organisations.service.ts";
import { type Answers, checkResponse, type ResponseInput } from "./answers.ts";
import { type PublicSurvey, publicSurvey, SURVEY_ADDRESS_RATE, SURVEY_RATE } from "./definitions.service.ts";
import { issueFormToken, signForm, verifyFormToken } from "./form-token.ts";
import { allQuestions, type Questionnaire } from "./questionnaire.ts";
import { countsOf } from "./rollup.ts";
import * as repo from "./surveys.repository.ts";

/** Answers to a survey: the public form, invitations, the counter kiosk (part of the surveys module's service, re-exported by surveys.service.ts). */

/** The sites answers name, while no setting changes (kernel/settings-epoch.ts). */
const sites = settingsCache<Organisation>();

/** The site an answer is about: the survey's organisation, or one below it named in the link. */
export async function answerSite(
  db: Kysely<DB>,
  survey: PublicSurvey,
  siteId: unknown,
  /** The settings epoch, when the caller read it: the site then comes from memory (an answer's hot path). */
  epoch?: SettingsEpoch,
): Promise<{ id: string; name: string; path: string[] }> {
  if (typeof siteId !== "string" || siteId === "" || siteId === survey.orgId)
    return { id: survey.orgId, name: survey.orgName, path: survey.orgPath };
  const read = () => getOrganisation(db, siteId);
  const site = /^[0-9a-f-]{36}$/.test(siteId)
    ? await (epoch ? sites.get(db, epoch, siteId, read) : read()).catch(() => undefined)
    : undefined;
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
  // The survey is cached a few seconds; the site and the webhook endpoints at the settings epoch this process
  // last saw, which the answer's own statement checks (migration 0037): one round trip in all, as a rule.
  const survey = await publicSurvey(db, orgId, surveyId);
  let epoch = lastSettingsEpoch(db) ?? (await settingsEpoch(db));
  const siteAt = (at: SettingsEpoch) => answerSite(db, survey, input.site, at);
  // A link's site unknown at an epoch read earlier may have come since: asked again if the epoch moved.
  let site = await siteAt(epoch).catch(async (error: unknown) => {
    const current = await settingsEpoch(db);
    if (current === epoch) throw error;
    epoch = current;
    return siteAt(epoch);
  });
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
  return writeAtSettingsEpoch(
    db,
    "l'enregistrement d'une réponse",
    async (at, attempt) => {
      // A setting changed since the epoch used: nothing was written; the site and the endpoints are read again.
      if (attempt > 0) site = await siteAt(at);
      const stored = await store(db, survey, site, answers, {
        listeners: await eventListeners(db, at, site.path, "survey.answered"),
        settingsEpoch: at,
        channel: answerChannel(survey, input.channel),
        answeredOn: dayIn(survey.timeZone, now),
        formTokenHash: tokenHash,
        via: invitation ? "invitation" : (input.via ?? "link"),
        invitationHash: invitation ? hashOf(invitation) : null,
        rate: { bucket: "survey-response", source, limit: SURVEY_RATE, now },
        // The ceiling per address, counted in the answer's own statement (one round trip, one commit).
        addressHit: hitCounter("survey-response:address", input.source, SURVEY_ADDRESS_RATE, now),
      });
      return stored ? ("recorded" as const) : STALE_SETTINGS;
    },
    epoch,
  );
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
    addressHit?: HitCounter;
    /** The webhook endpoints listening, when read before (else read in the transaction). */
    listeners?: Array<{ id: string }>;
    /** The settings epoch the site and the listeners were read at: nothing is written unless it is current. */
    settingsEpoch?: SettingsEpoch;
  },
): Promise<boolean> {
  const { bucket, source, limit, now } = how.rate;
  const rate: repo.RateCheck = {
    bucket,
    keyHash: rateKeyHash(bucket, source, now),
    since: new Date(now.getTime() - limit.windowMs),
    now,
    max: limit.max,
    hit: how.addressHit,
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
      path: site.path,
      ...(how.listeners ? { listeners: how.listeners } : {}),
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
  const record = (q: Kysely<DB>) => repo.insertResponse(q, survey.orgId, insert, rate, how.settingsEpoch);
  if (!how.invitationHash && how.listeners?.length === 0 && !veryUnhappy && insert.comments.length === 0) {
    // Nothing to write beside the answer: its one statement (rate check, answer, waiting counts) is atomic by itself.
    const { limited, recorded, stale } = await record(db);
    if (stale) return false;
    if (limited) throw new AppError("rate.limited");
    if (!recorded) throw new AppError("validation", { message: ALREADY_SENT_MESSAGE, fields: { _: ALREADY_SENT_MESSAGE } });
    return true;
  }
  if (!how.invitationHash) {
    return db.transaction().execute(async (trx) => {
      const { limited, recorded, stale } = await record(trx);
      if (stale) return false;
      if (limited) throw new AppError("rate.limited");
      if (!recorded) throw new AppError("validation", { message: ALREADY_SENT_MESSAGE, fields: { _: ALREADY_SENT_MESSAGE } });
      await answered(trx);
      return true;
    });
  }
  const invitationHash = how.invitationHash;
  // With an invitation, the invitation and the response go together or not at all.
  return db.transaction().execute(async (trx) => {
    const { limited, recorded, invited, stale } = await record(trx);
    if (stale) return false;
    if (limited) throw new AppError("rate.limited");
    if (recorded) {
      await answered(trx);
      return true;
    }
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
