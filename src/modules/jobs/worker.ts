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
}

export interface Worker {
  /** Stops polling and resolves once the batch under way, if any, has finished. */
  stop(): Promise<void>;
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

  async function pass(): Promise<void> {
    try {
      await enqueueDailySchedules(db, new Date(), seen);
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
    running = pass().finally(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  }

  if (options.firstPassAfterMs) timer = setTimeout(loop, options.firstPassAfterMs);
  else loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
