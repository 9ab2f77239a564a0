import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { AuditActor } from "../audit/audit.service.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { enqueue } from "../jobs/jobs.service.ts";
import type { RequestAttachment } from "../requests/request-attachments.ts";
import { IGNORED_LABELS, type IgnoredReason } from "./classify.ts";
import { testImap } from "./imap-connection.ts";
import type { MailboxInput } from "./mailboxes.schema.ts";
import { sealSecret } from "./secret-box.ts";

export { collectMailbox } from "./collect.ts";

export interface Mailbox {
  orgId: string;
  id: string;
  label: string;
  host: string;
  port: number;
  security: "tls" | "starttls" | "none";
  username: string;
  auth: "password" | "oauth2";
  folder: string;
  lastRunAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  failingSince: Date | null;
  registered: number;
  joined: number;
  ignored: number;
}

export const COLLECT_JOB = "mailboxes.collect";

/** The dedupe key of a mailbox's run due at `at`: one per mailbox and minute, whoever enqueues it. */
export function collectKey(mailboxId: string, at: Date): string {
  return `${COLLECT_JOB}:${mailboxId}:${at.toISOString().slice(0, 16)}`;
}

export async function listMailboxes(db: Kysely<DB>, orgId: string): Promise<Mailbox[]> {
  const rows = await db.selectFrom("mailboxes").selectAll().where("org_id", "=", orgId).orderBy("label").orderBy("id").execute();
  return rows.map((r) => ({
    orgId: r.org_id,
    id: r.id,
    label: r.label,
    host: r.host,
    port: r.port,
    security: r.security,
    username: r.username,
    auth: r.auth,
    folder: r.folder,
    lastRunAt: r.last_run_at,
    lastSuccessAt: r.last_success_at,
    lastError: r.last_error,
    failingSince: r.failing_since,
    registered: r.registered_count,
    joined: r.joined_count,
    ignored: r.ignored_count,
  }));
}

/**
 * Mailboxes that fail to be read, for whoever tells people (the alerts of issue #15, point 3):
 * each with the reason and since when.
 */
export async function failingMailboxes(db: Kysely<DB>, orgIds: string[]): Promise<Mailbox[]> {
  if (!orgIds.length) return [];
  const all = await Promise.all(orgIds.map((id) => listMailboxes(db, id)));
  return all.flat().filter((m) => m.failingSince !== null);
}

/** Tests the settings as typed (before saving): null when the folder opens, else the reason in French. */
export function testMailbox(input: MailboxInput): Promise<string | null> {
  return testImap({ ...input }, input.folder);
}

export async function createMailbox(db: Kysely<DB>, author: AuditActor, orgId: string, input: MailboxInput): Promise<string> {
  const secret_enc = await sealSecret(db, input.secret);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("mailboxes")
      .values({
        org_id: orgId,
        label: input.label,
        host: input.host,
        port: input.port,
        security: input.security,
        username: input.username,
        auth: input.auth,
        secret_enc,
        folder: input.folder,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const { secret: _secret, ...shown } = input;
    await recordAudit(trx, author, { orgId, action: "create", entity: "mailbox", entityId: row.id, after: shown });
    // The first run at once; each run enqueues the next (mailboxes.jobs.ts).
    const now = new Date();
    await enqueue(trx, { name: COLLECT_JOB, payload: { orgId, mailboxId: row.id }, dedupeKey: collectKey(row.id, now) });
    return row.id;
  });
}

export async function deleteMailbox(db: Kysely<DB>, author: AuditActor, orgId: string, mailboxId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const gone = await trx
      .deleteFrom("mailboxes")
      .where("org_id", "=", orgId)
      .where("id", "=", mailboxId)
      .returning("label")
      .executeTakeFirst();
    if (!gone) throw new AppError("mailbox.not_found");
    await recordAudit(trx, author, { orgId, action: "delete", entity: "mailbox", entityId: mailboxId, before: gone });
  });
}

export interface IgnoredMessage {
  sender: string | null;
  subject: string | null;
  reason: string;
  arrivedAt: Date | null;
}

/** The last messages set aside, so the administrator sees what was not registered and why. */
export async function recentIgnored(db: Kysely<DB>, orgId: string, mailboxId: string, limit = 20): Promise<IgnoredMessage[]> {
  const rows = await db
    .selectFrom("mailbox_messages")
    .select(["sender", "subject", "reason", "arrived_at"])
    .where("org_id", "=", orgId)
    .where("mailbox_id", "=", mailboxId)
    .where("outcome", "=", "ignored")
    .orderBy("collected_at", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    sender: r.sender,
    subject: r.subject,
    reason: r.reason && r.reason in IGNORED_LABELS ? IGNORED_LABELS[r.reason as IgnoredReason] : "expéditeur absent",
    arrivedAt: r.arrived_at,
  }));
}

/** The attachments stored with a request (one query, without their contents), for its page. */
export async function attachmentsOf(db: Kysely<DB>, orgId: string, requestId: string): Promise<RequestAttachment[]> {
  const rows = await db
    .selectFrom("mailbox_attachments")
    .select(["id", "file_name", "size"])
    .where("org_id", "=", orgId)
    .where("request_id", "=", requestId)
    .orderBy("created_at")
    .orderBy("file_name")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    fileName: r.file_name,
    size: r.size,
    href: `/organisations/${orgId}/requests/${requestId}/attachments/${r.id}`,
  }));
}

/** One attachment with its contents, if it belongs to this request of this organisation. */
export async function attachmentFile(db: Kysely<DB>, orgId: string, requestId: string, attachmentId: string) {
  const row = await db
    .selectFrom("mailbox_attachments")
    .select(["file_name", "content_type", "data"])
    .where("org_id", "=", orgId)
    .where("request_id", "=", requestId)
    .where("id", "=", attachmentId)
    .executeTakeFirst();
  if (!row) throw new AppError("attachment.not_found");
  return { fileName: row.file_name, contentType: row.content_type, data: Buffer.from(row.data) };
}
