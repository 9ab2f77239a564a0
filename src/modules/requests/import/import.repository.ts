import { type Kysely, sql } from "kysely";
import type { DB } from "../../../db/schema.ts";

export interface ExistingRequest {
  number: string;
  receivedOn: string;
  subject: string;
  requesterEmail: string | null;
  requesterName: string | null;
}

/** The requests of an organisation received on any of these days: where an import's duplicates can be. */
export async function requestsReceivedOn(db: Kysely<DB>, orgId: string, days: string[]): Promise<ExistingRequest[]> {
  if (days.length === 0) return [];
  const rows = await db
    .selectFrom("requests")
    .select(["number", "received_on", "subject", "requester_email", "requester_name"])
    .where("org_id", "=", orgId)
    .where("received_on", "in", days)
    .orderBy("number")
    .execute();
  return rows.map((r) => ({
    number: r.number,
    receivedOn: r.received_on,
    subject: r.subject,
    requesterEmail: r.requester_email,
    requesterName: r.requester_name,
  }));
}

/**
 * Holds the organisation's import lock until the transaction ends: two imports of the same file
 * sent at once (a double click, two app servers) would otherwise both find no duplicate.
 */
export async function lockImports(trx: Kysely<DB>, orgId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`requests-import:${orgId}`}))`.execute(trx);
}
