import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { countHit } from "../../kernel/rate-limit.ts";
import { type Actor, can, reachRoots } from "../../kernel/roles.ts";
import { type SettingsEpoch, STALE_SETTINGS, writeAtSettingsEpoch } from "../../kernel/settings-epoch.ts";
import { localDay } from "../../kernel/time.ts";
import { civilDateIn } from "../../ui/format.ts";
import { accountCan } from "../accounts/accounts.service.ts";
import type { AuditActor } from "../audit/audit.service.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { organisationCalendar } from "../calendar/calendar.service.ts";
import type { Channel, RequestKind } from "../frameworks/channels.ts";
import { emitEvent, eventListeners } from "../integrations/webhooks.service.ts";
import { getOrganisation, organisationPath } from "../organisations/organisations.service.ts";
import { invitationFor } from "../surveys/surveys.service.ts";
import { addCalendarDays, type Delay, histogramBucket, responseDays, shiftAfterPause } from "./due-date.ts";
import { composeLetter, sendLetter, sendPublicAcknowledgement } from "./letters.service.ts";
import type { LetterFacts, LetterKind } from "./letters.ts";
import { decodeCursor, encodeCursor } from "./list-cursor.ts";
import { hashTrackingToken, monthOf, planRegistrations, type Registered, StaleSettings, writeRegistrations } from "./registration.ts";
import { countFirstAcknowledgement, countLateAnswer, noteFirstHolding } from "./request-figures.ts";
import { canMove, isOpen, type RequestStatus, STATUS_LABELS } from "./request-status.ts";
import * as repo from "./requests.repository.ts";
import type { PublicRequestInput, QueueQueryInput, RequestCreateInput, StatusChangeInput } from "./requests.schema.ts";
import { codeMatches, formatTrackingCode, normaliseTrackingCode, trackingCodeFor } from "./tracking-code.ts";

export type { Registered } from "./registration.ts";
export type { ListedRequest, RequestEvent, RequestRecord, RequestSort } from "./requests.repository.ts";

const DAY = 24 * 3600_000;
/** Acknowledgements of the public form: 3 a day to one address, 200 a day from one organisation. */
export const PUBLIC_ACKNOWLEDGEMENT_LIMITS = { perRecipient: { max: 3, windowMs: DAY }, perOrganisation: { max: 200, windowMs: DAY } };

async function publicAcknowledgementAllowed(db: Kysely<DB>, orgId: string, email: string): Promise<boolean> {
  const { perRecipient, perOrganisation } = PUBLIC_ACKNOWLEDGEMENT_LIMITS;
  if ((await countHit(db, "public-ack-recipient", email.toLowerCase(), perRecipient)) > perRecipient.max) return false;
  return (await countHit(db, "public-ack-organisation", orgId, perOrganisation)) <= perOrganisation.max;
}

interface RegisterOptions {
  source: "agent" | "public" | "import";
  author: AuditActor;
  /** Public address of the site, for the tracking link in the acknowledgement. */
  baseUrl?: string | undefined;
}

export function letterFacts(orgName: string, r: repo.RequestRecord, extra: Partial<LetterFacts> = {}): LetterFacts {
  return {
    organisation: orgName,
    number: r.number,
    kind: r.kind,
    channel: r.channel,
    subject: r.subject,
    receivedOn: r.receivedOn,
    delay: r.target,
    dueOn: r.dueOn,
    announcedOn: r.announcedOn,
    ...extra,
  };
}

/**
 * Registers a request: computes its deadline from the delay the organisation announced for that
 * channel and kind, gives it a receipt number, records the event and counts it in the rollup.
 */
/** What a webhook tells of a request: its facts, never the requester's identity or message. */
function webhookRequest(r: repo.RequestRecord) {
  return {
    requestId: r.id,
    number: r.number,
    kind: r.kind,
    channel: r.channel,
    status: r.status,
    receivedOn: r.receivedOn,
    dueOn: r.dueOn,
    answeredOn: r.answeredOn,
    responseDays: r.responseDays,
  };
}

export async function registerRequest(
  db: Kysely<DB>,
  orgId: string,
  input: RequestCreateInput,
  options: RegisterOptions,
): Promise<Registered> {
  return withCurrentSettings(db, orgId, input, (plan) => db.transaction().execute((trx) => registerWithin(trx, plan, options)));
}

/**
 * A request that arrived by e-mail in a collected mailbox, registered like the public's own filing
 * (acknowledged at once, same limits). `claim` runs first in the same transaction: the collector
 * writes its ledger row there, and when the message was already taken (false) nothing is written,
 * so a message is registered once even if the collector died before its commit.
 */
export async function registerMailedRequest(
  db: Kysely<DB>,
  orgId: string,
  input: RequestCreateInput,
  options: RegisterOptions & {
    claim: (trx: Kysely<DB>) => Promise<boolean>;
    after: (trx: Kysely<DB>, registered: Registered) => Promise<void>;
  },
): Promise<Registered | null> {
  return withCurrentSettings(db, orgId, input, (plan) =>
    db.transaction().execute(async (trx) => {
      if (!(await options.claim(trx))) return null;
      const registered = await registerWithin(trx, plan, options);
      await options.after(trx, registered);
      return registered;
    }),
  );
}

/** The request whose receipt number this is, if the organisation has it. */
export async function findRequestIdByNumber(db: Kysely<DB>, orgId: string, number: string): Promise<string | undefined> {
  return repo.findIdByNumber(db, orgId, number);
}

/**
 * A message from the requester (a reply by e-mail) added to their request's history. Give it the
 * transaction of the collector's ledger row.
 */
export async function addIncomingMessage(
  trx: Kysely<DB>,
  orgId: string,
  requestId: string,
  message: { from: string; subject: string; body: string; receivedAt: Date },
): Promise<void> {
  await repo.insertEvent(trx, orgId, requestId, {
    actorId: null,
    actorLabel: message.from,
    type: "message",
    note: `${message.subject}\n\n${message.body}`.slice(0, 20_000),
    data: { receivedAt: message.receivedAt.toISOString(), from: message.from },
  });
}

/** One request's plan, and the webhook endpoints its registration will tell: both read before the transaction. */
async function plannedWithListeners(db: Kysely<DB>, orgId: string, input: RequestCreateInput, at: SettingsEpoch) {
  const plan = await planRegistrations(db, orgId, [input], at);
  return { ...plan, listeners: await eventListeners(db, plan.epoch, plan.path, "request.registered") };
}

/**
 * Plans one request and runs its transaction (`write`) with the settings of the epoch this process last saw,
 * which the request's own statement checks (migration 0038): the hottest write then spends no round trip reading
 * the epoch (issue #13). A setting changed since: nothing was written, the transaction is undone, and the request
 * is planned and written again at the epoch read now — a few times at most, should settings keep changing.
 */
async function withCurrentSettings<T>(
  db: Kysely<DB>,
  orgId: string,
  input: RequestCreateInput,
  write: (plan: Awaited<ReturnType<typeof plannedWithListeners>>) => Promise<T>,
): Promise<T> {
  return writeAtSettingsEpoch(db, "l'enregistrement d'une demande", async (epoch) => {
    const plan = await plannedWithListeners(db, orgId, input, epoch);
    return write(plan).catch((error: unknown) => {
      if (error instanceof StaleSettings) return STALE_SETTINGS;
      throw error;
    });
  });
}

async function registerWithin(
  trx: Kysely<DB>,
  plan: Awaited<ReturnType<typeof plannedWithListeners>>,
  options: RegisterOptions,
): Promise<Registered> {
  const {
    registered: [registered],
    countInRollups,
  } = await writeRegistrations(trx, plan, options);
  if (!registered) throw new Error("enregistrement sans résultat");
  const result = await acknowledgeWithin(trx, plan, registered, options);
  // Last, should it lock rollup rows (see countInRollups); one request's count waits instead, so nothing is locked.
  await countInRollups();
  return result;
}

/** The audit, the webhook and — for the public's own filing — the acknowledgement sent at once. */
async function acknowledgeWithin(
  trx: Kysely<DB>,
  plan: Awaited<ReturnType<typeof plannedWithListeners>>,
  registered: Registered,
  options: RegisterOptions,
): Promise<Registered> {
  const { org, listeners } = plan;
  const orgId = org.id;
  const { request, trackingToken, trackingCode } = registered;
  await recordAudit(trx, options.author, { orgId, action: "create", entity: "request", entityId: request.id, after: request });
  await emitEvent(trx, { type: "request.registered", orgId, data: webhookRequest(request), path: org.path, listeners });
  // An agent reads the acknowledgement before sending it (preview, then « Envoyer »); the public's own
  // filing is acknowledged at once, nobody being there to press the button.
  if (options.source !== "public") return registered;
  const trackingUrl = `${options.baseUrl ?? ""}/track?${new URLSearchParams({ number: request.number, token: trackingToken })}`;
  const email = request.requester.email;
  // The public form writes to any address typed in it: a fixed letter (nothing the visitor wrote),
  // a few a day per address and a ceiling per organisation, counted atomically in this transaction.
  if (!email || !(await publicAcknowledgementAllowed(trx, orgId, email))) return registered;
  let outboxId: string | null;
  try {
    outboxId = await sendPublicAcknowledgement(
      trx,
      orgId,
      request.id,
      email,
      letterFacts(org.name, request, {
        trackingUrl,
        trackingAddress: `${options.baseUrl ?? ""}/track`,
        trackingCode: formatTrackingCode(trackingCode),
      }),
    );
  } catch (error) {
    // A letter the request cannot fill must not lose what the public filed: an agent acknowledges it.
    if (error instanceof AppError && error.code === "letter.incomplete") return registered;
    throw error;
  }
  if (!outboxId) return registered;
  const after = await markAcknowledged(trx, request, { accountId: null, label: "Vigie" }, email, outboxId);
  await countFirstAcknowledgement(trx, org.path, after, localDay(org.timeZone));
  return { request: after, trackingToken, trackingCode };
}

/** Records an acknowledgement queued for `email`: the status moves on from « Reçue » and the history names the message. */
async function markAcknowledged(
  db: Kysely<DB>,
  before: repo.RequestRecord,
  who: AuditActor,
  email: string,
  outboxId: string,
): Promise<repo.RequestRecord> {
  const moves = before.status === "received";
  const after = moves ? await repo.updateRequest(db, before.orgId, before.id, before.version, { status: "acknowledged" }) : before;
  if (!after) throw new AppError("request.stale");
  await repo.insertEvent(db, before.orgId, before.id, {
    actorId: who.accountId,
    actorLabel: who.label,
    type: "letter",
    fromStatus: moves ? "received" : null,
    toStatus: moves ? "acknowledged" : null,
    // Queued, not sent: the history shows the message's state beside this line.
    note: `Accusé de réception par courriel à ${email}`,
    data: { kind: "acknowledgement", outboxId },
  });
  return after;
}

/** The letter as it would go out, for the preview before « Envoyer »; refused like the sending if a blank has no value. */
export async function previewLetter(
  db: Kysely<DB>,
  orgId: string,
  requestId: string,
  kind: LetterKind,
  extra: { message?: string | undefined; announcedOn?: string | undefined } = {},
  baseUrl = "",
): Promise<{ subject: string; body: string; to: string | null }> {
  const org = await getOrganisation(db, orgId);
  const r = await getRequest(db, orgId, requestId);
  const facts = letterFacts(org.name, r, {
    // The personal link is made when the letter leaves (only its hash is kept): the preview says where it goes.
    trackingUrl: kind === "acknowledgement" ? TRACKING_LINK_PREVIEW : null,
    // The short code is derived, not made at sending: the preview shows the real one.
    ...(kind === "acknowledgement" ? await trackingFacts(db, baseUrl, r) : {}),
    message: extra.message ?? (kind === "answer" ? DEFAULT_ANSWER_MESSAGE : null),
    ...(extra.announcedOn ? { announcedOn: extra.announcedOn } : {}),
  });
  const letter = await composeLetter(db, org.path, kind, facts);
  return { ...letter, to: r.requester.email };
}

export const TRACKING_LINK_PREVIEW = "[lien de suivi personnel, créé à l'envoi]";
const DEFAULT_ANSWER_MESSAGE = "Notre réponse vous est adressée par courrier.";

/**
 * « Envoyer » on the acknowledgement preview: a fresh tracking link (only its hash is kept, so the
 * e-mail carries a new one), the e-mail queued, the status moved to « Réception accusée ».
 */
export async function sendAcknowledgement(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  requestId: string,
  baseUrl: string,
): Promise<repo.RequestRecord> {
  const org = await getOrganisation(db, orgId);
  const trackingToken = randomBytes(18).toString("base64url");
  return db.transaction().execute(async (trx) => {
    const before = await repo.findRequest(trx, orgId, requestId);
    if (!before) throw new AppError("request.not_found");
    const email = before.requester.email;
    if (!email) {
      throw new AppError("validation", {
        fields: { _: "Aucune adresse électronique pour cette demande : imprimez l'accusé de réception pour l'envoyer par la poste." },
      });
    }
    if (!isOpen(before.status)) throw new AppError("validation", { fields: { _: "La demande a déjà reçu sa réponse." } });
    const withToken = await repo.setTrackingHash(trx, orgId, requestId, hashTrackingToken(trackingToken));
    if (!withToken) throw new AppError("request.not_found");
    const trackingUrl = `${baseUrl}/track?${new URLSearchParams({ number: before.number, token: trackingToken })}`;
    const outboxId = await sendLetter(
      trx,
      orgId,
      org.path,
      requestId,
      "acknowledgement",
      email,
      letterFacts(org.name, withToken, { trackingUrl, ...(await trackingFacts(trx, baseUrl, withToken)) }),
    );
    if (!outboxId) throw new Error("accusé de réception sans courriel");
    const who = auditActor(actor);
    const after = await markAcknowledged(trx, withToken, who, email, outboxId);
    await countFirstAcknowledgement(trx, org.path, after, localDay(org.timeZone));
    await recordAudit(trx, who, { orgId, action: "update", entity: "request", entityId: requestId, before, after });
    return after;
  });
}

/** The blanks {adresse_suivi} and {code_suivi} of a request's letters. */
export async function trackingFacts(db: Kysely<DB>, baseUrl: string, r: repo.RequestRecord) {
  return { trackingAddress: `${baseUrl}/track`, trackingCode: formatTrackingCode(await trackingCodeFor(db, r.id)) };
}

/** A complaint or suggestion filed by the public on the web page. */
export async function filePublicRequest(db: Kysely<DB>, orgId: string, input: PublicRequestInput, baseUrl: string): Promise<Registered> {
  const org = await getOrganisation(db, orgId);
  return registerRequest(
    db,
    orgId,
    { ...input, channel: "web", receivedOn: localDay(org.timeZone), requesterPhone: undefined, serviceId: undefined },
    { source: "public", author: { accountId: null, label: "usager (formulaire public)" }, baseUrl },
  );
}

export async function getRequest(db: Kysely<DB>, orgId: string, requestId: string): Promise<repo.RequestRecord> {
  const request = await repo.findRequest(db, orgId, requestId);
  if (!request) throw new AppError("request.not_found");
  return request;
}

export async function requestHistory(db: Kysely<DB>, orgId: string, requestId: string) {
  return repo.eventsOf(db, orgId, requestId);
}

/** The rollup change when a request gets (+1) or loses (-1) its answer, `days` after its reception. */
async function countAnswer(db: Kysely<DB>, path: string[], r: repo.RequestRecord, answeredOn: string, days: number, sign: 1 | -1) {
  const inTime = r.dueOn !== null && answeredOn <= r.dueOn ? 1 : 0;
  await repo.applyRollup(db, path, {
    month: monthOf(r.receivedOn),
    channel: r.channel,
    kind: r.kind,
    answered: sign,
    answeredWithTarget: r.dueOn !== null ? sign : 0,
    answeredInTime: sign * inTime,
    bucket: histogramBucket(days),
  });
}

export async function changeStatus(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  requestId: string,
  input: StatusChangeInput,
  /** The site's address, for the survey invitation added to an answer e-mail. */
  options: { baseUrl?: string } = {},
): Promise<repo.RequestRecord> {
  const org = await getOrganisation(db, orgId);
  const calendar = await organisationCalendar(db, org);
  const today = localDay(org.timeZone);
  return db.transaction().execute(async (trx) => {
    const before = await repo.findRequest(trx, orgId, requestId);
    if (!before) throw new AppError("request.not_found");
    if (before.version !== input.version) throw new AppError("request.stale");
    if (input.on && input.on > today) throw new AppError("validation", { fields: { on: "La date ne peut pas être dans le futur." } });
    if (input.on && input.on < before.receivedOn)
      throw new AppError("validation", { fields: { on: "La date ne peut précéder la réception." } });
    // A request entered ahead of its reception date (an exercise, a planned campaign) is never handled before it.
    const day = input.on ?? (today < before.receivedOn ? before.receivedOn : today);
    if (!canMove(before.status, input.status)) {
      throw new AppError("validation", {
        fields: { status: `Impossible de passer de « ${STATUS_LABELS[before.status]} » à « ${STATUS_LABELS[input.status]} ».` },
      });
    }
    const changes: repo.RequestChanges = { status: input.status };
    // Leaving a paused wait moves the deadline by the working days the file was with the requester.
    if (before.pausedSince && input.status !== "waiting") {
      changes.paused_since = null;
      if (before.dueOn) changes.due_on = shiftAfterPause(before.dueOn, before.pausedSince, day, calendar);
    }
    if (input.status === "waiting" && input.pauseClock && !before.pausedSince) changes.paused_since = day;
    if (input.status === "answered") {
      changes.answered_on = day;
      changes.response_days = responseDays(before.receivedOn, day, calendar);
    }
    if (input.status === "closed") changes.closed_on = day;
    if (input.status === "in_progress" && !isOpen(before.status)) {
      changes.answered_on = null;
      changes.response_days = null;
      changes.closed_on = null;
    }
    const after = await repo.updateRequest(trx, orgId, requestId, input.version, changes);
    if (!after) throw new AppError("request.stale");
    const path = org.path;
    // Taken back with the figures stored at the answer, whatever the calendar says today.
    if (before.answeredOn && !after.answeredOn) await countAnswer(trx, path, before, before.answeredOn, before.responseDays ?? 0, -1);
    if (!before.answeredOn && after.answeredOn) await countAnswer(trx, path, after, after.answeredOn, after.responseDays ?? 0, 1);
    if (!before.answeredOn && after.answeredOn) await countLateAnswer(trx, path, after, after.answeredOn);
    if (!before.answeredOn && after.answeredOn) await emitEvent(trx, { type: "request.answered", orgId, data: webhookRequest(after) });
    const who = auditActor(actor);
    await repo.insertEvent(trx, orgId, requestId, {
      actorId: who.accountId,
      actorLabel: who.label,
      type: "status",
      fromStatus: before.status,
      toStatus: after.status,
      note: input.note ?? null,
      data: changes.due_on ? { dueOn: changes.due_on } : undefined,
    });
    await recordAudit(trx, who, { orgId, action: "update", entity: "request", entityId: requestId, before, after });
    if (input.status === "answered") {
      // The note stays inside; only the message written for the requester goes out.
      const message = input.message ?? DEFAULT_ANSWER_MESSAGE;
      // An invitation is made only for an e-mail actually sent: one invitation, one possible answer.
      const invitation = after.requester.email && options.baseUrl ? await invitationFor(trx, org.path, orgId, options.baseUrl) : null;
      const postscript = invitation
        ? `Votre avis nous aide à améliorer notre accueil. Répondez en deux minutes à notre questionnaire anonyme (une seule réponse par invitation) :\n${invitation}`
        : undefined;
      const outboxId = await sendLetter(
        trx,
        orgId,
        org.path,
        requestId,
        "answer",
        after.requester.email,
        letterFacts(org.name, after, { message }),
        postscript,
      );
      // The answer stays readable on the request, with the state of its e-mail if one went.
      await repo.insertEvent(trx, orgId, requestId, {
        actorId: who.accountId,
        actorLabel: who.label,
        type: "answer",
        note: outboxId ? `Réponse par courriel à ${after.requester.email}` : "Réponse à envoyer par la poste",
        data: { kind: "answer", message, ...(outboxId ? { outboxId } : {}) },
      });
    }
    return after;
  });
}

/** A holding reply: the requester is told the answer will come later, by a new date. */
export async function sendHoldingReply(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  requestId: string,
  input: { announcedOn: string; note: string; version: number },
): Promise<repo.RequestRecord> {
  const org = await getOrganisation(db, orgId);
  return db.transaction().execute(async (trx) => {
    const before = await repo.findRequest(trx, orgId, requestId);
    if (!before) throw new AppError("request.not_found");
    if (!isOpen(before.status)) throw new AppError("validation", { fields: { announcedOn: "La demande a déjà reçu sa réponse." } });
    if (input.announcedOn < before.receivedOn) {
      throw new AppError("validation", { fields: { announcedOn: "La nouvelle date ne peut précéder la réception." } });
    }
    const after = await repo.updateRequest(trx, orgId, requestId, input.version, { announced_on: input.announcedOn });
    if (!after) throw new AppError("request.stale");
    await noteFirstHolding(trx, after, localDay(org.timeZone));
    const who = auditActor(actor);
    const outboxId = await sendLetter(
      trx,
      orgId,
      org.path,
      requestId,
      "holding",
      after.requester.email,
      letterFacts(org.name, after, { message: input.note }),
    );
    await repo.insertEvent(trx, orgId, requestId, {
      actorId: who.accountId,
      actorLabel: who.label,
      type: "holding",
      note: input.note,
      data: { announcedOn: input.announcedOn, message: input.note, ...(outboxId ? { outboxId } : {}) },
    });
    await recordAudit(trx, who, { orgId, action: "update", entity: "request", entityId: requestId, before, after });
    return after;
  });
}

/** A request may only be sent to a service inside the organisation it belongs to. */
async function requireServiceOf(db: Kysely<DB>, orgId: string, serviceId: string): Promise<void> {
  const service = await getOrganisation(db, serviceId).catch(() => undefined);
  if (!service?.path.includes(orgId)) {
    throw new AppError("validation", { fields: { serviceId: "Ce service n'appartient pas à l'organisation." } });
  }
}

export async function reassign(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  requestId: string,
  input: { serviceId?: string | undefined; assigneeId?: string | undefined; version: number },
): Promise<repo.RequestRecord> {
  if (input.serviceId) await requireServiceOf(db, orgId, input.serviceId);
  if (input.assigneeId) {
    const org = await getOrganisation(db, input.serviceId ?? orgId);
    if (!(await accountCan(db, input.assigneeId, "request.write", org.path))) {
      throw new AppError("validation", { fields: { assigneeId: "Cette personne ne traite pas les demandes de ce service." } });
    }
  }
  return db.transaction().execute(async (trx) => {
    const before = await repo.findRequest(trx, orgId, requestId);
    if (!before) throw new AppError("request.not_found");
    const after = await repo.updateRequest(trx, orgId, requestId, input.version, {
      service_id: input.serviceId ?? null,
      assignee_id: input.assigneeId ?? null,
    });
    if (!after) throw new AppError("request.stale");
    const who = auditActor(actor);
    await repo.insertEvent(trx, orgId, requestId, {
      actorId: who.accountId,
      actorLabel: who.label,
      type: "reassigned",
      data: {
        from: { serviceId: before.serviceId, assigneeId: before.assigneeId },
        to: { serviceId: after.serviceId, assigneeId: after.assigneeId },
      },
    });
    await recordAudit(trx, who, { orgId, action: "update", entity: "request", entityId: requestId, before, after });
    return after;
  });
}

export type Queue = "all" | "mine" | "service" | "due-soon" | "overdue";

/** Rows per page of a request list. */
export const PAGE_SIZE = 50;

export interface RequestListPage {
  rows: repo.ListedRequest[];
  /** How many requests the filters keep, all pages together. */
  total: number;
  sort: repo.RequestSort;
  /** Cursors of the neighbouring pages, absent where there is none. */
  next: string | undefined;
  previous: string | undefined;
  today: string;
}

/**
 * A page of the requests of an organisation's whole subtree (a network lists every site's), as the
 * actor may see them: a work queue, the filters, an order, by keyset. A bounded number of statements
 * whatever the size of the subtree: the organisation, its calendar when the queue needs it, the page
 * and the count.
 */
export async function listRequestPage(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  input: QueueQueryInput,
  pageSize = PAGE_SIZE,
): Promise<RequestListPage> {
  const org = await getOrganisation(db, orgId);
  const today = localDay(org.timeZone);
  const queue: Queue = input.queue ?? "all";
  const sort: repo.RequestSort = input.sort ?? "due";
  const filters: repo.RequestFilters = {
    rootId: orgId,
    siteName: input.site,
    status: input.status,
    channel: input.channel,
    kind: input.kind,
    lateAsOf: input.late || queue === "overdue" ? today : undefined,
    receivedFrom: input.from,
    receivedTo: input.to,
    q: input.q,
    openOnly: queue !== "all",
  };
  if (queue === "mine") filters.assigneeId = actor.accountId;
  if (queue === "service") {
    // "My service": the services where the actor holds a role, within this organisation (one path per grant).
    const paths = await Promise.all(actor.grants.map(async (g) => ({ id: g.orgId, path: (await organisationPath(db, g.orgId)) ?? [] })));
    filters.serviceIds = paths.filter((g) => g.path.includes(orgId)).map((g) => g.id);
  }
  if (queue === "due-soon") {
    const calendar = await organisationCalendar(db, org);
    filters.dueFrom = today;
    filters.dueBy = calendar.addWorkingDays(today, 2);
  }
  const length = repo.sortKeyLength(sort);
  const after = input.after ? decodeCursor(sort, input.after, length, "after") : undefined;
  const before = !after && input.before ? decodeCursor(sort, input.before, length, "before") : undefined;
  const [{ rows, more }, total] = await Promise.all([
    repo.requestPage(db, filters, { sort, after, before, limit: pageSize }),
    repo.countRequests(db, filters),
  ]);
  const first = rows[0];
  const last = rows.at(-1);
  // Coming back (before), rows follow: the page we came from. Going on (after), rows precede.
  const hasNext = before ? true : more;
  const hasPrevious = before ? more : after !== undefined;
  return {
    rows,
    total,
    sort,
    next: hasNext && last ? encodeCursor(sort, repo.sortKeyOf(sort, last)) : undefined,
    previous: hasPrevious && first ? encodeCursor(sort, repo.sortKeyOf(sort, first)) : undefined,
    today,
  };
}

/** Open requests below each node the actor may see (the tree page's counts), in one grouped statement. */
export function openRequestsByNode(db: Kysely<DB>, actor: Actor): Promise<Map<string, number>> {
  return repo.openByNode(db, actor.instanceAdmin ? null : reachRoots(actor, "request.read"));
}

/**
 * A printed acknowledgement: recorded in the history. The letter carries the number and the short
 * code (derived, so it can be printed again); the e-mailed link, if any, keeps working.
 */
export async function notePrintedAcknowledgement(db: Kysely<DB>, actor: Actor, orgId: string, requestId: string) {
  const org = await getOrganisation(db, orgId);
  return db.transaction().execute(async (trx) => {
    const request = await repo.findRequest(trx, orgId, requestId);
    if (!request) throw new AppError("request.not_found");
    // Printing is how a letter is acknowledged: it counts as sent the day it is printed.
    await countFirstAcknowledgement(trx, org.path, request, localDay(org.timeZone));
    const who = auditActor(actor);
    await repo.insertEvent(trx, orgId, requestId, {
      actorId: who.accountId,
      actorLabel: who.label,
      type: "letter",
      note: "Accusé de réception imprimé pour un envoi postal",
    });
    return { request, trackingCode: formatTrackingCode(await trackingCodeFor(trx, requestId)) };
  });
}

/** One step of a request the public may see: what happened and when, never who or why. */
export interface PublicStep {
  /** The civil day, in the organisation's time zone. */
  on: string;
  label: string;
}

/** What the public tracking page shows: organisation, dates, status, public steps; never the content, notes or agents. */
export interface TrackedRequest {
  /** Not shown: they let the route read the state of the request's e-mails. */
  orgId: string;
  id: string;
  number: string;
  organisation: string;
  kind: RequestKind;
  channel: Channel;
  status: RequestStatus;
  receivedOn: string;
  delay: Delay | null;
  dueOn: string | null;
  answeredOn: string | null;
  closedOn: string | null;
  /** The organisation's time zone, to date the steps as its public lives them. */
  timeZone: string;
  steps: PublicStep[];
}

/** The label of an event on the public timeline, or null for what stays internal (notes, assignments, prints). */
function publicStepLabel(e: repo.RequestEvent): string | null {
  if (e.type === "created") return "Demande reçue";
  if (e.type === "holding") return "Réponse d'attente : nouvelle date de réponse annoncée";
  if (e.type !== "status" && e.type !== "letter") return null;
  if (e.fromStatus === "waiting" && e.toStatus && e.toStatus !== "waiting" && e.toStatus !== "answered" && e.toStatus !== "closed") {
    return "Reprise du traitement";
  }
  switch (e.toStatus) {
    case "acknowledged":
      return "Accusé de réception envoyé";
    case "in_progress":
      return "Prise en charge";
    case "waiting":
      return "En attente d'un complément de votre part";
    case "answered":
      return "Réponse envoyée";
    case "closed":
      return "Dossier clos";
    default:
      return null;
  }
}

async function tracked(db: Kysely<DB>, request: repo.RequestRecord): Promise<TrackedRequest> {
  const org = await getOrganisation(db, request.orgId);
  const events = await repo.eventsOf(db, request.orgId, request.id);
  const steps: PublicStep[] = [];
  // Days as the request records them where it does: an agent may register a letter or an answer after
  // the fact (received, answered or closed "on" an earlier day); other steps take the day they were made.
  const lastOf = (status: string) => events.findLast((e) => e.toStatus === status && e.type !== "created");
  for (const e of events) {
    const label = publicStepLabel(e);
    if (!label) continue;
    let on = civilDateIn(e.at, org.timeZone);
    if (e.type === "created") on = request.receivedOn;
    else if (request.answeredOn && e === lastOf("answered")) on = request.answeredOn;
    else if (request.closedOn && e === lastOf("closed")) on = request.closedOn;
    steps.push({ on, label });
  }
  return {
    orgId: request.orgId,
    id: request.id,
    number: request.number,
    organisation: org.name,
    kind: request.kind,
    channel: request.channel,
    status: request.status,
    receivedOn: request.receivedOn,
    delay: request.target,
    dueOn: request.announcedOn ?? request.dueOn,
    answeredOn: request.answeredOn,
    closedOn: request.closedOn,
    timeZone: org.timeZone,
    steps,
  };
}

/** The page of the personal link sent before short codes existed (number + long token): it keeps working. */
export async function trackRequest(db: Kysely<DB>, number: string, token: string): Promise<TrackedRequest> {
  const request = await repo.findByTrackingHash(db, hashTrackingToken(token));
  if (!request || request.number !== number) throw new AppError("track.mismatch");
  return tracked(db, request);
}

/** A receipt number as printed (« 2026-000123 »), tolerant of spaces and a missing year dash. */
export function normaliseReceiptNumber(typed: string): string | undefined {
  const compact = typed.replace(/[\s\u00a0\u202f]/g, "");
  const m = /^(\d{4})-?(\d{1,9})$/.exec(compact);
  if (!m) return undefined;
  return `${m[1]}-${(m[2] ?? "").padStart(6, "0")}`;
}

/**
 * The public tracking form: number and short code. A wrong pair says so without telling which one is
 * wrong. The caller rate-limits before calling (guessing is the threat, not reading).
 */
export async function trackByCode(db: Kysely<DB>, number: string, code: string): Promise<TrackedRequest> {
  const n = normaliseReceiptNumber(number);
  const c = normaliseTrackingCode(code);
  if (!n || !c) throw new AppError("track.mismatch");
  for (const request of await repo.findByNumber(db, n)) {
    if (await codeMatches(db, request.id, c)) return tracked(db, request);
  }
  throw new AppError("track.mismatch");
}

export function canWrite(actor: Actor, path: string[]): boolean {
  return can(actor, "request.write", path);
}

export type { Channel, RequestKind, RequestStatus };
export { addCalendarDays };

/** The zone whose day starts first (UTC+14): no organisation's « today » is later than its own. */
const EARLIEST_ZONE = "Pacific/Kiritimati";

/**
 * Records the webhook event `request.overdue` for every open request whose deadline has passed on its
 * organisation's own day, once per request (`overdue_event_at`, set in the transaction of the event):
 * a second run, or a retry after a crash, sends nothing twice. Returns how many were recorded.
 */
export async function emitOverdueEvents(db: Kysely<DB>, now = new Date()): Promise<number> {
  const latest = localDay(EARLIEST_ZONE, now);
  const todayOf = new Map<string, string>();
  let recorded = 0;
  let afterId: string | null = null;
  for (;;) {
    const batch = await repo.overdueUntold(db, latest, afterId, 500);
    if (batch.length === 0) return recorded;
    afterId = batch[batch.length - 1]?.id ?? null;
    for (const r of batch) {
      let today = todayOf.get(r.orgId);
      if (!today) {
        today = localDay((await getOrganisation(db, r.orgId)).timeZone, now);
        todayOf.set(r.orgId, today);
      }
      if (!r.dueOn || r.dueOn >= today) continue;
      await db.transaction().execute(async (trx) => {
        const told = await repo.markOverdueTold(trx, r.orgId, r.id, now);
        if (!told) return;
        await emitEvent(trx, { type: "request.overdue", orgId: r.orgId, data: webhookRequest(told) }, now);
        recorded++;
      });
    }
  }
}

/** Adds the registrations' waiting counts to the rollups (done by every read of them; the publication and the benchmark ask for it). */
export const foldPendingRollups = repo.foldPendingRollups;
