import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";

/**
 * The audit log's side of personal data (issue #17, point 5).
 *
 * A request's audit lines hold the request as it was (`before`, `after`): its subject, its text and
 * the requester's name, e-mail, phone and address. Anonymising a request (its retention period, or an
 * erasure on request) must remove them there too, or the person would stay in the log for as long as
 * the log is kept. The figures and the trail (who changed the status, the delay, the assignee, when)
 * stay: only these three keys go.
 */
const PERSONAL_KEYS = ["subject", "body", "requester"] as const;

export async function scrubAuditOfRequests(db: Kysely<DB>, orgId: string, requestIds: string[]): Promise<number> {
  if (!requestIds.length) return 0;
  const strip = (column: "before" | "after") =>
    sql<
      string | null
    >`case when jsonb_typeof(${sql.ref(column)}) = 'object' then ${sql.ref(column)} - ${sql.val([...PERSONAL_KEYS])}::text[] else ${sql.ref(column)} end`;
  const result = await db
    .updateTable("audit_log")
    .set({ before: strip("before"), after: strip("after") })
    .where("org_id", "=", orgId)
    .where("entity", "=", "request")
    .where("entity_id", "in", requestIds)
    .where((eb) =>
      eb.or([
        sql<boolean>`${sql.ref("before")} ?| ${sql.val([...PERSONAL_KEYS])}::text[]`,
        sql<boolean>`${sql.ref("after")} ?| ${sql.val([...PERSONAL_KEYS])}::text[]`,
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * The log's own retention: an organisation's lines written before `before` are deleted. On PostgreSQL
 * the log is partitioned by month for the whole instance while periods are per organisation, so this
 * is a delete, not a dropped partition (whole months can still be dropped by `dropPartitionsBefore`
 * once no organisation keeps them). Returns how many lines went.
 */
export async function purgeAuditBefore(db: Kysely<DB>, orgId: string, before: Date): Promise<number> {
  const result = await db.deleteFrom("audit_log").where("org_id", "=", orgId).where("at", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Organisations (and the instance's own scope) holding audit lines older than `before`, in pages, for the daily job. */
export async function organisationsWithAuditBefore(
  db: Kysely<DB>,
  before: Date,
  afterOrgId: string | null,
  limit: number,
): Promise<string[]> {
  let q = db.selectFrom("audit_log").select("org_id").distinct().where("at", "<", before);
  if (afterOrgId) q = q.where("org_id", ">", afterOrgId);
  return (await q.orderBy("org_id").limit(limit).execute()).map((r) => r.org_id);
}
