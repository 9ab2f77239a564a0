import type { Kysely, Selectable } from "kysely";
import { z } from "zod";
import type { DB, OutboxTable } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { type Actor, canSomewhere, reachRoots } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { enqueue } from "../jobs/jobs.service.ts";
import { subtreesIds } from "../organisations/organisations.service.ts";
import { currentTransport, sendMailJob } from "./mail.jobs.ts";
import * as repo from "./mail.repository.ts";
import { describeFailure } from "./mail-errors.ts";

export { useMailTransport } from "./mail.jobs.ts";
export {
  createMailTransport,
  DEFAULT_MAIL_FROM,
  type MailEnv,
  type MailTransport,
  type OutgoingMail,
  SMTP_NOT_CONFIGURED,
} from "./mail.transport.ts";
export { MAIL_ERROR_LABELS, type MailErrorCode } from "./mail-errors.ts";

export interface QueueEmailInput {
  orgId: string;
  /** The request the message is about, if any: its history can then show what was sent. */
  requestId?: string | null | undefined;
  /** What the message is (acknowledgement, holding, answer, digest…), for the history and the statistics. */
  kind: string;
  to: string;
  subject: string;
  text: string;
}

/** Ten tries, the last about three hours after the first (30 s, 1 min, 2 min… at most 1 h apart): a morning's SMTP outage loses nothing. */
const MAIL_MAX_ATTEMPTS = 10;
const address = z.email();

function sendJob(orgId: string, outboxId: string, round: number, now: Date) {
  return {
    name: sendMailJob.name,
    payload: { orgId, outboxId },
    // Round 0 keeps the key rows queued before « Renvoyer » existed already carry.
    dedupeKey: round === 0 ? `mail.send:${outboxId}` : `mail.send:${outboxId}:${round}`,
    maxAttempts: MAIL_MAX_ATTEMPTS,
    runAt: now,
  };
}

/**
 * Queues an e-mail: an outbox row and the job that sends it. Pass the transaction of the write that
 * calls for the message, and the message goes out if and only if that write commits. Returns the
 * outbox id.
 */
export async function queueEmail(db: Kysely<DB>, input: QueueEmailInput): Promise<string> {
  // The address comes from a form that already checked it: a bad one here is a bug, not a user error.
  if (!address.safeParse(input.to).success) throw new Error(`adresse électronique invalide : ${input.to}`);
  const now = new Date();
  const outboxId = await repo.insertOutbox(
    db,
    input.orgId,
    { requestId: input.requestId ?? null, kind: input.kind, recipient: input.to, subject: input.subject, body: input.text },
    now,
  );
  await enqueue(db, sendJob(input.orgId, outboxId, 0, now));
  return outboxId;
}

/** Where a message stands, as every page shows it: « en file », « envoyé » or « échec ». */
export type MailStatus = "queued" | "sent" | "failed";

export interface MailState {
  id: string;
  orgId: string;
  requestId: string | null;
  kind: string;
  to: string;
  subject: string;
  status: MailStatus;
  createdAt: Date;
  sentAt: Date | null;
  /** While queued: when the next try is due. */
  nextAttemptAt: Date | null;
  failedAt: Date | null;
  /** The last failure in French (« SMTP non configuré », « adresse refusée (550 …) »), or null. */
  reason: string | null;
}

export type OutboxEntry = MailState & { messageId: string | null; errorCode: string | null; error: string | null; body: string };

function toState(row: Selectable<OutboxTable>): OutboxEntry {
  return {
    id: row.id,
    orgId: row.org_id,
    requestId: row.request_id,
    kind: row.kind,
    to: row.recipient,
    subject: row.subject,
    body: row.body,
    status: row.status,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    nextAttemptAt: row.next_attempt_at,
    failedAt: row.failed_at,
    reason: row.error_code ? describeFailure(row.error_code, row.error) : null,
    messageId: row.message_id,
    errorCode: row.error_code,
    error: row.error,
  };
}

export async function findOutboxEntry(db: Kysely<DB>, orgId: string, id: string): Promise<OutboxEntry | undefined> {
  const row = await repo.findOutbox(db, orgId, id);
  return row ? toState(row) : undefined;
}

/** Every message about a request with its true state, oldest first, in one query. */
export async function mailStatesForRequest(db: Kysely<DB>, orgId: string, requestId: string): Promise<MailState[]> {
  return (await repo.outboxOfRequest(db, orgId, requestId)).map(toState);
}

/** The messages of these outbox ids with their true state, in one query. */
export async function mailStatesByIds(db: Kysely<DB>, ids: string[]): Promise<MailState[]> {
  return (await repo.outboxByIds(db, ids)).map(toState);
}

/**
 * « Renvoyer »: puts a failed message back in the queue, with a job of its own, and says who did it
 * in the audit log. A message not failed (sent, still queued, already retried by someone else) is
 * left alone with a clear message.
 */
export async function retryMessage(db: Kysely<DB>, actor: Actor, orgId: string, outboxId: string): Promise<MailState> {
  return db.transaction().execute(async (trx) => {
    const before = await repo.findOutbox(trx, orgId, outboxId);
    if (!before) throw new AppError("mail.not_found");
    const now = new Date();
    const after = await repo.requeue(trx, orgId, outboxId, now);
    if (!after) throw new AppError("mail.not_failed");
    await enqueue(trx, sendJob(orgId, outboxId, after.round, now));
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "outbox",
      entityId: outboxId,
      before: { status: before.status, error: before.error_code },
      after: { status: after.status, round: after.round },
    });
    return toState(after);
  });
}

/**
 * Whose mail a person sees on the banner and the list: an administrator the whole instance; anyone else
 * the subtrees where they read requests (a network correspondent their network), so a failure is seen
 * by the people whose letters did not leave; retrying needs `request.write` there. Null: none.
 */
export function mailScopeOf(
  db: Kysely<DB>,
  actor: Actor,
  permission: "request.read" | "request.write" = "request.read",
): repo.MailScope | null {
  if (actor.instanceAdmin) return "instance";
  if (!canSomewhere(actor, permission)) return null;
  return subtreesIds(db, reachRoots(actor, permission));
}

/**
 * Retries every failed message the person sees (at most `limit`): the administrator who has just set
 * SMTP_URL, or a correspondent after the server came back.
 */
export async function retryAllFailed(db: Kysely<DB>, actor: Actor, limit = 500): Promise<number> {
  const scope = mailScopeOf(db, actor, "request.write");
  if (!scope) return 0;
  let count = 0;
  for (const { org_id, id } of await repo.failedIds(db, limit, scope)) {
    try {
      await retryMessage(db, actor, org_id, id);
      count += 1;
    } catch (error) {
      // Retried by someone else meanwhile: nothing to do.
      if (!(error instanceof AppError)) throw error;
    }
  }
  return count;
}

export interface MailHealth {
  /** Whether an SMTP server is set (SMTP_URL): without it nothing leaves. */
  configured: boolean;
  failed: number;
  queued: number;
}

/** What the banner says, in one query: for the whole instance, or for what `actor` sees. */
export async function mailHealth(db: Kysely<DB>, actor?: Actor): Promise<MailHealth> {
  const scope = actor ? mailScopeOf(db, actor) : "instance";
  if (!scope) return { configured: mailConfigured(), failed: 0, queued: 0 };
  return { configured: mailConfigured(), ...(await repo.unsentCounts(db, scope)) };
}

/** Whether an SMTP server is set; read in memory, no query. */
export function mailConfigured(): boolean {
  return currentTransport().configured;
}

/** The unsent messages the person sees (all of them for an administrator), failed first. */
export async function listUnsent(db: Kysely<DB>, actor: Actor, limit = 200): Promise<MailState[]> {
  const scope = mailScopeOf(db, actor);
  return scope ? (await repo.unsent(db, limit, scope)).map(toState) : [];
}

/** How many messages went (or wait to go) to an address since a moment: to cap what a public form can send. */
export async function countMessagesTo(db: Kysely<DB>, recipient: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom("outbox")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("recipient", "=", recipient)
    .where("created_at", ">", since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether a message of this kind and subject was already queued for the address. */
export async function alreadyQueued(db: Kysely<DB>, message: { kind: string; recipient: string; subject: string }): Promise<boolean> {
  const row = await db
    .selectFrom("outbox")
    .select("id")
    .where("kind", "=", message.kind)
    .where("recipient", "=", message.recipient)
    .where("subject", "=", message.subject)
    .executeTakeFirst();
  return row !== undefined;
}
