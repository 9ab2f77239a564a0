import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";

export interface JobInsert {
  name: string;
  payload: unknown;
  runAt: Date | undefined;
  dedupeKey: string | undefined;
  maxAttempts: number | undefined;
}

/** Inserts a job unless one with the same dedupe key exists (done or not); true when inserted. */
export async function insertJob(db: Kysely<DB>, job: JobInsert): Promise<boolean> {
  const row = await db
    .insertInto("jobs")
    .values({
      name: job.name,
      payload: JSON.stringify(job.payload ?? null),
      dedupe_key: job.dedupeKey ?? null,
      // The app server's clock, as the claim compares with: the database's now() carries microseconds a
      // JavaScript date lacks, and a job enqueued in the same millisecond would otherwise wait a turn.
      run_at: job.runAt ?? new Date(),
      ...(job.maxAttempts !== undefined ? { max_attempts: job.maxAttempts } : {}),
    })
    // A concurrent insert of the same key waits for the other transaction, then does nothing.
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

export interface ClaimedJob {
  id: string;
  name: string;
  payload: unknown;
  /** This claim's attempt number (1 for the first run): it also fences the bookkeeping, see below. */
  attempt: number;
  maxAttempts: number;
}

/**
 * Claims up to `limit` due jobs in one statement (its own short transaction): rows another worker is
 * claiming right now are skipped rather than waited for, and a claim is a lock with an expiry, so a
 * job whose worker died is claimed again once `locked_until` has passed. A job has given up when its
 * attempts reached max_attempts: it keeps done_at null and is never claimed again.
 */
export async function claimDue(
  db: Kysely<DB>,
  options: { now: Date; lockedUntil: Date; limit: number; names: string[] },
): Promise<ClaimedJob[]> {
  const { now } = options;
  const rows = await db
    // A CTE is evaluated once: the rows locked by FOR UPDATE are exactly the rows updated.
    .with("due", (qb) =>
      qb
        .selectFrom("jobs")
        .select("id")
        .where("done_at", "is", null)
        .where("run_at", "<=", now)
        .whereRef("attempts", "<", "max_attempts")
        .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", now)]))
        .where("name", "in", options.names)
        .orderBy("run_at")
        .orderBy("id")
        .limit(options.limit)
        .forUpdate()
        .skipLocked(),
    )
    .updateTable("jobs")
    .from("due")
    .set((eb) => ({ locked_until: options.lockedUntil, attempts: eb("jobs.attempts", "+", 1) }))
    .whereRef("jobs.id", "=", "due.id")
    .returning(["jobs.id", "jobs.name", "jobs.payload", "jobs.attempts", "jobs.max_attempts"])
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, payload: r.payload, attempt: r.attempts, maxAttempts: r.max_attempts }));
}

/**
 * Gives back the claims still held on jobs of these names. Only for a database no other process can reach (the
 * embedded engine's folder, locked by the server that opened it): the claims found there at start-up were a dead process's.
 */
export async function releaseClaims(db: Kysely<DB>, names: string[]): Promise<number> {
  if (names.length === 0) return 0;
  const result = await db
    .updateTable("jobs")
    .set({ locked_until: null })
    .where("done_at", "is", null)
    .where("locked_until", "is not", null)
    .where("name", "in", names)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// The bookkeeping below only touches the row if it still carries this claim's attempt number: a worker
// that overran its lock, while another claimed the job again, must not overwrite the newer claim.

/** Marks a claimed job done; false if the claim was lost meanwhile. */
export async function markDone(db: Kysely<DB>, job: ClaimedJob, at: Date): Promise<boolean> {
  const result = await db
    .updateTable("jobs")
    .set({ done_at: at, locked_until: null, last_error: null })
    .where("id", "=", job.id)
    .where("attempts", "=", job.attempt)
    .where("done_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * The heartbeat: pushes the lock of a job still running to `until` (never shortens it), so a handler
 * longer than its lock is not claimed again by another worker; false if the claim was lost meanwhile.
 */
export async function extendLock(db: Kysely<DB>, job: ClaimedJob, until: Date): Promise<boolean> {
  const result = await db
    .updateTable("jobs")
    .set({ locked_until: sql<Date>`greatest(locked_until, ${until})` })
    .where("id", "=", job.id)
    .where("attempts", "=", job.attempt)
    .where("done_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Releases a failed job to be tried again at `runAt`. */
export async function markRetry(db: Kysely<DB>, job: ClaimedJob, runAt: Date, error: string): Promise<boolean> {
  const result = await db
    .updateTable("jobs")
    .set({ run_at: runAt, locked_until: null, last_error: error })
    .where("id", "=", job.id)
    .where("attempts", "=", job.attempt)
    .where("done_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Gives a job up: it keeps done_at null, its run_at and its last error. Lowering max_attempts to the
 * attempts made (for a failure retrying cannot fix) is what keeps it out of every later claim.
 */
export async function markFailed(db: Kysely<DB>, job: ClaimedJob, error: string): Promise<boolean> {
  const result = await db
    .updateTable("jobs")
    .set({ locked_until: null, last_error: error, max_attempts: sql<number>`least(max_attempts, attempts)` })
    .where("id", "=", job.id)
    .where("attempts", "=", job.attempt)
    .where("done_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** How many of the jobs with these dedupe keys are done, and how many the queue gave up on: one count. */
export async function progressOf(db: Kysely<DB>, keys: string[]): Promise<{ done: number; failed: number }> {
  if (keys.length === 0) return { done: 0, failed: 0 };
  const { rows } = await sql<{ done: number; failed: number }>`
    select count(*) filter (where done_at is not null)::int as done,
           count(*) filter (where done_at is null and attempts >= max_attempts)::int as failed
    from jobs where dedupe_key = any(${sql.val(keys)}::text[])`.execute(db);
  return { done: Number(rows[0]?.done ?? 0), failed: Number(rows[0]?.failed ?? 0) };
}

/** Where one job stands, found by its dedupe key: what a page following the work it carries shows. */
export interface JobState {
  /** Waiting for its first run or a retry, running under a worker's lock, done, or given up. */
  state: "queued" | "running" | "done" | "failed";
  attempts: number;
  /** Until when the worker running it holds it: past this instant, another worker takes it over. */
  lockedUntil: Date | null;
  lastError: string | null;
}

export async function jobByKey(db: Kysely<DB>, key: string, now = new Date()): Promise<JobState | undefined> {
  const row = await db
    .selectFrom("jobs")
    .select(["attempts", "max_attempts", "locked_until", "done_at", "last_error"])
    .where("dedupe_key", "=", key)
    .executeTakeFirst();
  if (!row) return undefined;
  const state =
    row.done_at !== null
      ? "done"
      : row.locked_until !== null && row.locked_until > now
        ? "running"
        : row.attempts >= row.max_attempts
          ? "failed"
          : "queued";
  return { state, attempts: row.attempts, lockedUntil: row.locked_until, lastError: row.last_error };
}
