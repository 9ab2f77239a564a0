import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

export interface OutboxValues {
  requestId: string | null;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
}

export async function insertOutbox(db: Kysely<DB>, orgId: string, values: OutboxValues): Promise<string> {
  const row = await db
    .insertInto("outbox")
    .values({
      org_id: orgId,
      request_id: values.requestId,
      kind: values.kind,
      recipient: values.recipient,
      subject: values.subject,
      body: values.body,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findOutbox(db: Kysely<DB>, orgId: string, id: string) {
  return db.selectFrom("outbox").selectAll().where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
}

export async function markSent(db: Kysely<DB>, orgId: string, id: string, sentAt: Date, messageId: string): Promise<void> {
  await db
    .updateTable("outbox")
    .set({ sent_at: sentAt, message_id: messageId, error: null })
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("sent_at", "is", null)
    .execute();
}

export async function recordError(db: Kysely<DB>, orgId: string, id: string, error: string): Promise<void> {
  await db.updateTable("outbox").set({ error }).where("org_id", "=", orgId).where("id", "=", id).where("sent_at", "is", null).execute();
}
