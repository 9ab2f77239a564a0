import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/**
 * The outbox's side of personal data (issue #17, point 5). A message keeps its kind, its dates and
 * its state (figures of what was sent); its recipient, subject and text go. A message still waiting
 * to leave is left alone: clearing its recipient would make it fail, and it is short-lived anyway.
 */
export interface OutboxOfPerson {
  id: string;
  requestId: string | null;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
  createdAt: Date;
  sentAt: Date | null;
  status: string;
}

const REMOVED = "anonymisé";

export async function anonymiseOutboxOfRequests(db: Kysely<DB>, orgId: string, requestIds: string[]): Promise<number> {
  if (!requestIds.length) return 0;
  const result = await db
    .updateTable("outbox")
    .set({ recipient: REMOVED, subject: "", body: "" })
    .where("org_id", "=", orgId)
    .where("request_id", "in", requestIds)
    .where("status", "!=", "queued")
    .where("recipient", "!=", REMOVED)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Messages sent to one address (case ignored), whatever request they belong to. */
export async function outboxTo(db: Kysely<DB>, orgId: string, email: string, limit = 500): Promise<OutboxOfPerson[]> {
  const rows = await db
    .selectFrom("outbox")
    .select(["id", "request_id", "kind", "recipient", "subject", "body", "created_at", "sent_at", "status"])
    .where("org_id", "=", orgId)
    .where((eb) => eb.fn("lower", ["recipient"]), "=", email.toLowerCase())
    .orderBy("created_at")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    kind: r.kind,
    recipient: r.recipient,
    subject: r.subject,
    body: r.body,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    status: r.status,
  }));
}

/** Erasure by address: every sent or failed message to it loses its person. */
export async function anonymiseOutboxTo(db: Kysely<DB>, orgId: string, email: string): Promise<number> {
  const result = await db
    .updateTable("outbox")
    .set({ recipient: REMOVED, subject: "", body: "" })
    .where("org_id", "=", orgId)
    .where((eb) => eb.fn("lower", ["recipient"]), "=", email.toLowerCase())
    .where("status", "!=", "queued")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
