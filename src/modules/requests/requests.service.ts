import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { AppError } from "../../app/errors.ts";
import { localDay } from "../../app/local-day.ts";
import type { DB } from "../../db/schema.ts";
import { civilDateIn } from "../../ui/format.ts";
import { accountCan } from "../accounts/accounts.service.ts";
import { type Actor, can } from "../accounts/roles.ts";
import type { AuditActor } from "../audit/audit.service.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { organisationCalendar } from "../calendar/calendar.service.ts";
import type { Channel, RequestKind } from "../frameworks/channels.ts";
import { countMessagesTo } from "../mail/mail.service.ts";
import { getOrganisation, organisationPath, subtreeIds } from "../organisations/organisations.service.ts";
import { invitationFor } from "../surveys/surveys.service.ts";
import { addCalendarDays, histogramBucket, responseDays, shiftAfterPause } from "./due-date.ts";
import { sendLetter } from "./letters.service.ts";
import type { LetterFacts } from "./letters.ts";
import { hashTrackingToken, monthOf, planRegistrations, type Registered, writeRegistrations } from "./registration.ts";
import { canMove, isOpen, type RequestStatus, STATUS_LABELS } from "./request-status.ts";
import * as repo from "./requests.repository.ts";
import type { PublicRequestInput, RequestCreateInput, StatusChangeInput } from "./requests.schema.ts";
import { codeMatches, formatTrackingCode, normaliseTrackingCode, trackingCodeFor } from "./tracking-code.ts";

export type { Registered } from "./registration.ts";
export type { RequestEvent, RequestRecord } from "./requests.repository.ts";

/** Today's date where the organisation is: a deadline is a local calendar date. */
export function todayIn(timeZone: string, now = new Date()): string {
  return localDay(timeZone, now);
}

const PUBLIC_LETTERS_PER_DAY = 3;

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
export async function registerRequest(
  db: Kysely<DB>,
  orgId: string,
  input: RequestCreateInput,
  options: RegisterOptions,
): Promise<Registered> {
  const org = await getOrganisation(db, orgId);
  const plan = await planRegistrations(db, orgId, [input]);
  return db.transaction().execute(async (trx) => {
    const [registered] = await writeRegistrations(trx, plan, options);
    if (!registered) throw new Error("enregistrement sans résultat");
    const { request, trackingToken, trackingCode } = registered;
    await recordAudit(trx, options.author, { orgId, action: "create", entity: "request", entityId: request.id, after: request });
    const trackingUrl = `${options.baseUrl ?? ""}/track?${new URLSearchParams({ number: request.number, token: trackingToken })}`;
    // A public form could otherwise make us write to anyone, any number of times: a few letters a day per address.
    const email = request.requester.email;
    if (
      options.source === "public" &&
      email &&
      (await countMessagesTo(trx, email, new Date(Date.now() - 24 * 3600_000))) >= PUBLIC_LETTERS_PER_DAY
    ) {
      return registered;
    }
    const acknowledged = await sendLetter(
      trx,
      orgId,
      org.path,
      request.id,
      "acknowledgement",
      email,
      letterFacts(org.name, request, {
        trackingUrl,
        trackingAddress: `${options.baseUrl ?? ""}/track`,
        trackingCode: formatTrackingCode(trackingCode),
      }),
    );
    if (!acknowledged) return registered;
    const after = await repo.updateRequest(trx, orgId, request.id, request.version, { status: "acknowledged" });
    if (!after) throw new AppError("request.stale");
    await repo.insertEvent(trx, orgId, request.id, {
      actorId: null,
      actorLabel: "Vigie",
      type: "letter",
      fromStatus: "received",
      toStatus: "acknowledged",
      note: `Accusé de réception envoyé par courriel à ${email}`,
    });
    return { request: after, trackingToken, trackingCode };
  });
}

/** A complaint or suggestion filed by the public on the web page. */
export async function filePublicRequest(db: Kysely<DB>, orgId: string, input: PublicRequestInput, baseUrl: string): Promise<Registered> {
  const org = await getOrganisation(db, orgId);
  return registerRequest(
    db,
    orgId,
    { ...input, channel: "web", receivedOn: todayIn(org.timeZone), requesterPhone: undefined, serviceId: undefined },
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
  const today = todayIn(org.timeZone);
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
      const message = input.message ?? "Notre réponse vous est adressée par courrier.";
      // An invitation is made only for an e-mail actually sent: one invitation, one possible answer.
      const invitation = after.requester.email && options.baseUrl ? await invitationFor(trx, org.path, orgId, options.baseUrl) : null;
      const postscript = invitation
        ? `Votre avis nous aide à améliorer notre accueil. Répondez en deux minutes à notre questionnaire anonyme (une seule réponse par invitation) :\n${invitation}`
        : undefined;
      await sendLetter(
        trx,
        orgId,
        org.path,
        requestId,
        "answer",
        after.requester.email,
        letterFacts(org.name, after, { message }),
        postscript,
      );
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
    const who = auditActor(actor);
    await repo.insertEvent(trx, orgId, requestId, {
      actorId: who.accountId,
      actorLabel: who.label,
      type: "holding",
      note: input.note,
      data: { announcedOn: input.announcedOn },
    });
    await recordAudit(trx, who, { orgId, action: "update", entity: "request", entityId: requestId, before, after });
    await sendLetter(
      trx,
      orgId,
      org.path,
      requestId,
      "holding",
      after.requester.email,
      letterFacts(org.name, after, { message: input.note }),
    );
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

/** The work queues of an organisation's subtree, as the actor may see them. */
export async function listQueue(db: Kysely<DB>, actor: Actor, orgId: string, queue: Queue, q?: string) {
  const org = await getOrganisation(db, orgId);
  // The access check cleared the organisation, hence its whole subtree: taken inside the query, not loaded.
  const orgIds = subtreeIds(db, orgId);
  const today = todayIn(org.timeZone);
  const calendar = await organisationCalendar(db, org);
  const base = { orgIds, openOnly: queue !== "all", q, limit: 200 };
  switch (queue) {
    case "mine":
      return repo.listRequests(db, { ...base, assigneeId: actor.accountId });
    case "service": {
      // "My service": the services where the actor holds a role, within this organisation.
      const paths = await Promise.all(actor.grants.map(async (g) => ({ id: g.orgId, path: (await organisationPath(db, g.orgId)) ?? [] })));
      const mine = paths.filter((g) => g.path.includes(orgId)).map((g) => g.id);
      return repo.listRequests(db, { ...base, serviceIds: mine });
    }
    case "due-soon":
      return repo.listRequests(db, { ...base, dueFrom: today, dueBy: calendar.addWorkingDays(today, 2) });
    case "overdue":
      return repo.listRequests(db, { ...base, dueBefore: today });
    default:
      return repo.listRequests(db, base);
  }
}

/**
 * A printed acknowledgement: recorded in the history. The letter carries the number and the short
 * code (derived, so it can be printed again); the e-mailed link, if any, keeps working.
 */
export async function notePrintedAcknowledgement(db: Kysely<DB>, actor: Actor, orgId: string, requestId: string) {
  return db.transaction().execute(async (trx) => {
    const request = await repo.findRequest(trx, orgId, requestId);
    if (!request) throw new AppError("request.not_found");
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
  number: string;
  organisation: string;
  kind: RequestKind;
  channel: Channel;
  status: RequestStatus;
  receivedOn: string;
  delay: { value: number; unit: "working_days" | "calendar_days" } | null;
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
