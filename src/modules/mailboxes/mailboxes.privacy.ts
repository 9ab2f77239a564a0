import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/**
 * The mailboxes' side of personal data (issue #17, point 5): a collected message keeps its outcome
 * and dates (figures of the mail room) and loses its sender and subject; the attachments of a request
 * go altogether (a scanned letter is nothing but the person).
 */
export async function anonymiseMailOfRequests(db: Kysely<DB>, orgId: string, requestIds: string[]): Promise<void> {
  if (!requestIds.length) return;
  const mdb = db;
  await mdb
    .updateTable("mailbox_messages")
    .set({ sender: null, subject: null })
    .where("org_id", "=", orgId)
    .where("request_id", "in", requestIds)
    .execute();
  await mdb.deleteFrom("mailbox_attachments").where("org_id", "=", orgId).where("request_id", "in", requestIds).execute();
}

export interface CollectedOfPerson {
  requestId: string | null;
  sender: string | null;
  subject: string | null;
  outcome: string;
  arrivedAt: Date | null;
}

/** Messages collected from one sender; the sender field holds « Nom <adresse> » or the bare address. */
export async function collectedFrom(db: Kysely<DB>, orgId: string, email: string, limit = 500): Promise<CollectedOfPerson[]> {
  const rows = await db
    .selectFrom("mailbox_messages")
    .select(["request_id", "sender", "subject", "outcome", "arrived_at"])
    .where("org_id", "=", orgId)
    .where((eb) => eb.fn("lower", ["sender"]), "like", `%${email.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    .orderBy("collected_at")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ requestId: r.request_id, sender: r.sender, subject: r.subject, outcome: r.outcome, arrivedAt: r.arrived_at }));
}

export async function anonymiseCollectedFrom(db: Kysely<DB>, orgId: string, email: string): Promise<void> {
  await db
    .updateTable("mailbox_messages")
    .set({ sender: null, subject: null })
    .where("org_id", "=", orgId)
    .where((eb) => eb.fn("lower", ["sender"]), "like", `%${email.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    .execute();
}

/** File names of a request's attachments, for the export (the files themselves stay in Vigie). */
export async function attachmentsOf(db: Kysely<DB>, orgId: string, requestIds: string[]) {
  if (!requestIds.length) return [];
  return db
    .selectFrom("mailbox_attachments")
    .select(["request_id as requestId", "file_name as fileName", "content_type as contentType", "size"])
    .where("org_id", "=", orgId)
    .where("request_id", "in", requestIds)
    .execute();
}
