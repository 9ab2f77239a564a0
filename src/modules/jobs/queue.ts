import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { retryDelayMs } from "./backoff.ts";
import { dailyOccurrence } from "./daily.ts";
import * as repo from "./jobs.repository.ts";
import { dailySchedules, findJob, type JobLogger, knownJobNames, PermanentJobError, resumableJobNames, silentLogger } from "./registry.ts";

export interface EnqueueInput {
  name: string;
  payload: unknown;
  /** Not before this instant; now by default. */
  runAt?: Date | undefined;
  /** A job with a key already present (pending, done or failed) is not enqueued again. */
  dedupeKey?: string | undefined;
  maxAttempts?: number | undefined;
}

/**
 * Enqueues a job; false when its dedupe key was already taken. Pass the caller's transaction as `db`
 * and the job exists if and only if that transaction commits.
 */
export async function enqueue(db: Kysely<DB>, input: EnqueueInput): Promise<boolean> {
  // A payload the handler would refuse is a bug in the caller: say so now, inside its transaction,
  // rather than as a failed job later. The payload is stored as given, not as parsed: the handler
  // parses it again, and a schema that transforms its input need not accept its own output.
  findJob(input.name)?.parse(input.payload);
  if (input.maxAttempts !== undefined && (!Number.isInteger(input.maxAttempts) || input.maxAttempts < 1)) {
    throw new Error(`nombre d'essais invalide : ${input.maxAttempts}`);
  }
  return repo.insertJob(db, {
    name: input.name,
    payload: input.payload,
    runAt: input.runAt,
    dedupeKey: input.dedupeKey,
    maxAttempts: input.maxAttempts,
  });
}

export interface RunOptions {
  now?: Date | undefined;
  /** How many jobs one call claims at most. */
  limit?: number | undefined;
  log?: JobLogger | undefined;
  /**
   * How long a claim holds before another worker may take the job over. While a handler runs, a
   * heartbeat extends its lock every `heartbeatMs` (a third of the lock by default), so only a job whose
   * worker died or hangs past its lock is taken over.
   */
  lockMs?: number | undefined;
  heartbeatMs?: number | undefined;
}

export interface RunCounts {
  done: number;
  failed: number;
  retried: number;
}

export const DEFAULT_LOCK_MS = 5 * 60_000;
export const DEFAULT_BATCH = 10;
const MAX_ERROR_LENGTH = 2_000;

type Outcome = keyof RunCounts | "lost";

/**
 * On a database this process holds alone (the embedded engine's folder): the jobs a previous server was running
 * when it died (a power cut, a kill) are claimed again at the next pass, not once their lock has run out
 * (`DEFAULT_LOCK_MS` later: e-mails waiting five minutes after a restart) — except those defined with
 * `afterCrash: "wait"` (a person's import). Never on PostgreSQL, where another server's claims are alive.
 * Returns how many jobs were given back.
 */
export function resumeInterruptedJobs(db: Kysely<DB>): Promise<number> {
  return repo.releaseClaims(db, resumableJobNames());
}

/**
 * Claims the due jobs and runs them, each outside the claiming transaction so a slow handler holds no
 * row lock. A handler may run more than once (a worker dying after the work and before the
 * bookkeeping): handlers are written to be idempotent.
 */
export async function runDueJobs(db: Kysely<DB>, options: RunOptions = {}): Promise<RunCounts> {
  const now = options.now ?? new Date();
  const log = options.log ?? silentLogger;
  const counts: RunCounts = { done: 0, failed: 0, retried: 0 };
  const names = knownJobNames();
  if (names.length === 0) return counts;
  const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
  const beat = { lockMs, everyMs: options.heartbeatMs ?? Math.max(1, Math.floor(lockMs / 3)) };
  const claimed = await repo.claimDue(db, {
    now,
    lockedUntil: new Date(now.getTime() + lockMs),
    limit: options.limit ?? DEFAULT_BATCH,
    names,
  });
  // Side by side, so each job's lock covers its own run and not the runs queued before it.
  const settled = await Promise.allSettled(claimed.map((job) => runOne(db, job, now, log, beat)));
  for (const result of settled) {
    if (result.status === "fulfilled" && result.value !== "lost") counts[result.value] += 1;
  }
  const broken = settled.find((result) => result.status === "rejected");
  // Only the bookkeeping can reject (handler errors are caught): the database is in trouble, tell the caller.
  if (broken) throw broken.reason;
  return counts;
}

/**
 * Extends the lock of a running job at a steady pace, on the batch's clock (`now` plus the time really
 * spent) so tests that move time see the same lock the claim set. `stop` waits for a beat under way:
 * a beat landing after the bookkeeping would lock a released job again.
 */
function startHeartbeat(db: Kysely<DB>, job: repo.ClaimedJob, now: Date, log: JobLogger, beat: Heartbeat): () => Promise<void> {
  const started = Date.now();
  let inFlight: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    const until = new Date(now.getTime() + (Date.now() - started) + beat.lockMs);
    inFlight = repo.extendLock(db, job, until).catch((error: unknown) => {
      log.warn({ job: job.id, name: job.name, err: error }, `tâche ${job.name} : verrou non prolongé`);
    });
  }, beat.everyMs);
  return async () => {
    clearInterval(timer);
    await inFlight;
  };
}

interface Heartbeat {
  lockMs: number;
  everyMs: number;
}

async function runOne(db: Kysely<DB>, job: repo.ClaimedJob, now: Date, log: JobLogger, beat: Heartbeat): Promise<Outcome> {
  const definition = findJob(job.name);
  const stopHeartbeat = startHeartbeat(db, job, now, log, beat);
  try {
    if (!definition) throw new PermanentJobError(`tâche inconnue : ${job.name}`);
    await definition.run(job.payload, { db, now, log, attempt: job.attempt, maxAttempts: job.maxAttempts });
  } catch (error) {
    await stopHeartbeat();
    const message = describe(error);
    const fields = { job: job.id, name: job.name, attempt: job.attempt, err: error };
    if (error instanceof PermanentJobError || job.attempt >= job.maxAttempts) {
      log.error(fields, `tâche ${job.name} abandonnée après ${job.attempt} essai(s)`);
      return (await repo.markFailed(db, job, message)) ? "failed" : lost(job, log);
    }
    log.warn(fields, `tâche ${job.name} en échec, nouvel essai prévu`);
    const runAt = new Date(now.getTime() + retryDelayMs(job.attempt));
    return (await repo.markRetry(db, job, runAt, message)) ? "retried" : lost(job, log);
  }
  await stopHeartbeat();
  return (await repo.markDone(db, job, new Date())) ? "done" : lost(job, log);
}

function lost(job: repo.ClaimedJob, log: JobLogger): Outcome {
  log.warn({ job: job.id, name: job.name, attempt: job.attempt }, `tâche ${job.name} : verrou expiré, reprise par un autre passage`);
  return "lost";
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.slice(0, MAX_ERROR_LENGTH);
}

/**
 * Enqueues today's run of every daily schedule whose hour has come. The dedupe key names the local
 * date, so however many servers tick, and however often, a day's run is enqueued once.
 * `seen` remembers, per schedule, the key this process already enqueued: each tick then skips the
 * insert, which would otherwise draw a value from the id sequence every time even when it conflicts.
 */
export async function enqueueDailySchedules(db: Kysely<DB>, now: Date, seen?: Map<string, string>): Promise<number> {
  let enqueued = 0;
  for (const schedule of dailySchedules()) {
    const key = dailyOccurrence(schedule.name, schedule.hour, schedule.timeZone, now);
    if (key === null || seen?.get(schedule.name) === key) continue;
    if (await enqueue(db, { name: schedule.name, payload: schedule.payload, dedupeKey: key, runAt: now })) enqueued += 1;
    seen?.set(schedule.name, key);
  }
  return enqueued;
}
