import type { Kysely } from "kysely";
import { z } from "zod";
import type { DB } from "../../db/schema.ts";
import { enqueue } from "../jobs/jobs.service.ts";
import { sendMailJob } from "./mail.jobs.ts";
import * as repo from "./mail.repository.ts";

export { useMailTransport } from "./mail.jobs.ts";
export {
  createMailTransport,
  DEFAULT_MAIL_FROM,
  type MailEnv,
  type MailTransport,
  type OutgoingMail,
  SMTP_NOT_CONFIGURED,
} from "./mail.transport.ts";

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

/**
 * Queues an e-mail: an outbox row and the job that sends it. Pass the transaction of the write that
 * calls for the message, and the message goes out if and only if that write commits. Returns the
 * outbox id.
 */
export async function queueEmail(db: Kysely<DB>, input: QueueEmailInput): Promise<string> {
  // The address comes from a form that already checked it: a bad one here is a bug, not a user error.
  if (!address.safeParse(input.to).success) throw new Error(`adresse électronique invalide : ${input.to}`);
  const outboxId = await repo.insertOutbox(db, input.orgId, {
    requestId: input.requestId ?? null,
    kind: input.kind,
    recipient: input.to,
    subject: input.subject,
    body: input.text,
  });
  await enqueue(db, {
    name: sendMailJob.name,
    payload: { orgId: input.orgId, outboxId },
    dedupeKey: `mail.send:${outboxId}`,
    maxAttempts: MAIL_MAX_ATTEMPTS,
  });
  return outboxId;
}

export interface OutboxEntry {
  id: string;
  requestId: string | null;
  kind: string;
  to: string;
  subject: string;
  createdAt: Date;
  sentAt: Date | null;
  messageId: string | null;
  /** Why the last try failed, while the message is not sent. */
  error: string | null;
}

export async function findOutboxEntry(db: Kysely<DB>, orgId: string, id: string): Promise<OutboxEntry | undefined> {
  const row = await repo.findOutbox(db, orgId, id);
  if (!row) return undefined;
  return {
    id: row.id,
    requestId: row.request_id,
    kind: row.kind,
    to: row.recipient,
    subject: row.subject,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    messageId: row.message_id,
    error: row.error,
  };
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
