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

/** A register import recorded for the job queue (migration 0034). */
export interface ImportRow {
  id: string;
  fileName: string;
  status: "queued" | "running" | "done" | "failed";
  rowCount: number;
  rowsValid: number | null;
  report: unknown;
  message: string | null;
  createdByLabel: string;
  createdAt: Date;
}

export async function insertImport(
  db: Kysely<DB>,
  orgId: string,
  values: { fileName: string; plan: unknown; rowCount: number; createdBy: string | null; createdByLabel: string },
): Promise<string> {
  const row = await db
    .insertInto("request_imports")
    .values({
      org_id: orgId,
      file_name: values.fileName,
      status: "queued",
      plan: JSON.stringify(values.plan),
      row_count: values.rowCount,
      created_by: values.createdBy,
      created_by_label: values.createdByLabel,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findImport(db: Kysely<DB>, orgId: string, id: string): Promise<ImportRow | undefined> {
  const row = await db
    .selectFrom("request_imports")
    .select(["id", "file_name", "status", "row_count", "rows_valid", "report", "message", "created_by_label", "created_at"])
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    fileName: row.file_name,
    status: row.status as ImportRow["status"],
    rowCount: row.row_count,
    rowsValid: row.rows_valid,
    report: row.report,
    message: row.message,
    createdByLabel: row.created_by_label,
    createdAt: new Date(row.created_at),
  };
}

/**
 * Takes the import for one run, named `runner`: only a queued or running import is taken (a run
 * taken over from a dead worker starts again; a finished or dropped one is left alone).
 */
export async function startImport(db: Kysely<DB>, orgId: string, id: string, runner: string) {
  return db
    .updateTable("request_imports")
    .set({ status: "running", runner, rows_valid: null, updated_at: sql<Date>`now()` })
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("status", "in", ["queued", "running"])
    .returning(["plan", "created_by", "created_by_label"])
    .executeTakeFirst();
}

/** The rows are checked: `valid` of them are being registered. False when another run has taken the import over. */
export async function markRegistering(db: Kysely<DB>, orgId: string, id: string, runner: string, valid: number): Promise<boolean> {
  const result = await db
    .updateTable("request_imports")
    .set({ rows_valid: valid, updated_at: sql<Date>`now()` })
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("runner", "=", runner)
    .where("status", "=", "running")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Ends this run's import (`done` or `failed`) with its report, and forgets the plan and its people;
 * back to `queued` when another try is planned. False when another run has taken the import over.
 */
export async function endImport(
  db: Kysely<DB>,
  orgId: string,
  id: string,
  runner: string,
  end: { status: "done" | "failed" | "queued"; report?: unknown; message?: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable("request_imports")
    .set({
      status: end.status,
      ...(end.status === "queued" ? {} : { plan: null, runner: null }),
      ...(end.report === undefined ? {} : { report: JSON.stringify(end.report) }),
      message: end.message ?? null,
      updated_at: sql<Date>`now()`,
    })
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("runner", "=", runner)
    .where("status", "=", "running")
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Drops a failed import (nothing of it was registered). False when it is not, or no longer, a failed import. */
export async function deleteFailedImport(db: Kysely<DB>, orgId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom("request_imports")
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("status", "=", "failed")
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
