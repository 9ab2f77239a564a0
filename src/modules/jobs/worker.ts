import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { DEFAULT_BATCH, enqueueDailySchedules, runDueJobs } from "./queue.ts";
import type { JobLogger } from "./registry.ts";

export interface WorkerOptions {
  db: Kysely<DB>;
  log: JobLogger;
  /** Pause between two passes; 5 s by default. */
  intervalMs?: number | undefined;
  /** Jobs claimed per batch. */
  limit?: number | undefined;
  /** Wait before the first pass; none by default. */
  firstPassAfterMs?: number | undefined;
  /**
   * Whether this worker enqueues the daily schedules (true by default). A test server turns it off to run
   * only the jobs its pages enqueue, not a whole night's work on its first pass.
   */
  schedules?: boolean | undefined;
}

export interface Worker {
  /** Stops polling and resolves once the batch under way, if any, has finished. */
  stop(): Promise<void>;
}

// The workers of this process, woken by wakeWorkers(): a page that enqueues work a person waits for
// (reading an uploaded file) should not leave it to the next poll, up to an interval later.
const awake = new Set<() => void>();

/**
 * Asks this process's workers for a pass now (after the one under way, if any). Call it once the
 * transaction that enqueued the job has committed. Other servers' workers find the job at their next poll.
 */
export function wakeWorkers(): void {
  for (const wake of awake) wake();
}

/**
 * Polls the queue from this process. Every server may run one: claims skip each other's rows.
 * The next pass is planned only when the previous one has finished, so batches never overlap here.
 */
export function startWorker(options: WorkerOptions): Worker {
  const { db, log } = options;
  const intervalMs = options.intervalMs ?? 5_000;
  const limit = options.limit ?? DEFAULT_BATCH;
  const seen = new Map<string, string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let passing = false;
  let wokenDuringPass = false;

  async function pass(): Promise<void> {
    try {
      if (options.schedules !== false) await enqueueDailySchedules(db, new Date(), seen);
      // A full batch suggests more are waiting: keep going rather than sleep on a backlog.
      let handled = limit;
      while (!stopped && handled >= limit) {
        const counts = await runDueJobs(db, { limit, log });
        handled = counts.done + counts.failed + counts.retried;
      }
    } catch (error) {
      // The database may be restarting: log and try again at the next pass rather than stop the worker.
      log.error({ err: error }, "file de tâches : passage interrompu");
    }
  }

  function loop(): void {
    passing = true;
    wokenDuringPass = false;
    running = pass().finally(() => {
      passing = false;
      // Woken while passing: the job may have been enqueued after this pass claimed its batch.
      if (!stopped) timer = setTimeout(loop, wokenDuringPass ? 0 : intervalMs);
    });
  }

  function wake(): void {
    if (stopped) return;
    if (passing) {
      wokenDuringPass = true;
      return;
    }
    if (timer) clearTimeout(timer);
    loop();
  }

  awake.add(wake);
  if (options.firstPassAfterMs) timer = setTimeout(loop, options.firstPassAfterMs);
  else loop();
  return {
    async stop() {
      stopped = true;
      awake.delete(wake);
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
