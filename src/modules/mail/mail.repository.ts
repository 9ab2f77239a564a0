import { type Kysely, type SelectQueryBuilder, sql } from "kysely";
import type { DB } from "../../db/schema.ts";

export interface OutboxValues {
  requestId: string | null;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
}

export async function insertOutbox(db: Kysely<DB>, orgId: string, values: OutboxValues, now: Date): Promise<string> {
  const row = await db
    .insertInto("outbox")
    .values({
      org_id: orgId,
      request_id: values.requestId,
      kind: values.kind,
      recipient: values.recipient,
      subject: values.subject,
      body: values.body,
      status: "queued",
      next_attempt_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findOutbox(db: Kysely<DB>, orgId: string, id: string) {
  return db.selectFrom("outbox").selectAll().where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
}

/** Every message about a request, oldest first: one query whatever their number. */
export function outboxOfRequest(db: Kysely<DB>, orgId: string, requestId: string) {
  return db
    .selectFrom("outbox")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("request_id", "=", requestId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

/** Outbox rows by id, whatever their organisation (the obligation reminders of a network's sites). */
export function outboxByIds(db: Kysely<DB>, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom("outbox").selectAll().where("id", "in", ids).orderBy("created_at").orderBy("id").execute();
}

export async function markSent(db: Kysely<DB>, orgId: string, id: string, sentAt: Date, messageId: string): Promise<void> {
  await db
    .updateTable("outbox")
    .set({ sent_at: sentAt, message_id: messageId, status: "sent", error: null, error_code: null, next_attempt_at: null, failed_at: null })
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("sent_at", "is", null)
    .execute();
}

export async function recordFailure(
  db: Kysely<DB>,
  orgId: string,
  id: string,
  failure: { code: string; detail: string; failedAt: Date | null; nextAttemptAt: Date | null },
): Promise<void> {
  await db
    .updateTable("outbox")
    .set({
      error: failure.detail,
      error_code: failure.code,
      status: failure.failedAt ? "failed" : "queued",
      failed_at: failure.failedAt,
      next_attempt_at: failure.nextAttemptAt,
    })
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("sent_at", "is", null)
    .execute();
}

/** Puts a failed message back in the queue for a new round; undefined when it was not failed (already retried). */
export async function requeue(db: Kysely<DB>, orgId: string, id: string, now: Date) {
  return db
    .updateTable("outbox")
    .set((eb) => ({ status: "queued", round: eb("round", "+", 1), failed_at: null, next_attempt_at: now }))
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("status", "=", "failed")
    .returningAll()
    .executeTakeFirst();
}

/** The failed messages, every organisation: for the administrator retrying them all once SMTP works. */
export function failedIds(db: Kysely<DB>, limit: number, scope: MailScope) {
  return inScope(db.selectFrom("outbox").select(["org_id", "id"]).where("status", "=", "failed"), scope)
    .orderBy("created_at")
    .limit(limit)
    .execute();
}

/**
 * Whose mail a reader sees: the whole instance (an administrator), or the organisations of a subquery
 * (the subtrees where a person handles requests), never an id list.
 */
export type MailScope = "instance" | SelectQueryBuilder<DB, "organisations", { id: string }>;

function inScope<O>(q: SelectQueryBuilder<DB, "outbox", O>, scope: MailScope): SelectQueryBuilder<DB, "outbox", O> {
  return scope === "instance" ? q : q.where("org_id", "in", scope);
}

/** How many messages are failed, and how many wait, in one scan of the partial index of unsent rows. */
export async function unsentCounts(db: Kysely<DB>, scope: MailScope): Promise<{ failed: number; queued: number }> {
  const row = await inScope(db.selectFrom("outbox"), scope)
    .select([
      sql<string>`count(*) filter (where status = 'failed')`.as("failed"),
      sql<string>`count(*) filter (where status = 'queued')`.as("queued"),
    ])
    .where("status", "<>", "sent")
    .executeTakeFirstOrThrow();
  return { failed: Number(row.failed), queued: Number(row.queued) };
}

/** The unsent messages, failed first then the oldest waiting: the administrator's list. */
export function unsent(db: Kysely<DB>, limit: number, scope: MailScope) {
  return inScope(db.selectFrom("outbox"), scope)
    .selectAll()
    .where("status", "<>", "sent")
    .orderBy(sql`status = 'failed'`, "desc")
    .orderBy("created_at", "desc")
    .limit(limit)
    .execute();
}
