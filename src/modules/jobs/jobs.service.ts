/**
 * The durable job queue: jobs live in the `jobs` table, so they survive restarts and are shared by
 * every app server. A module declares its jobs in its `*.jobs.ts` with defineJob, enqueues them with
 * enqueue (inside the transaction of the write that calls for them), and every server runs a worker.
 */
export { retryDelayMs } from "./backoff.ts";
/** How many of the jobs with these dedupe keys are done, and how many the queue gave up on (a publication's chunks). */
/** Where the job with this dedupe key stands (queued, running, done, given up), with its last error. */
export { type JobState, jobByKey as jobState, progressOf as jobProgress } from "./jobs.repository.ts";
export {
  DEFAULT_BATCH,
  DEFAULT_LOCK_MS,
  type EnqueueInput,
  enqueue,
  enqueueDailySchedules,
  type RunCounts,
  type RunOptions,
  resumeInterruptedJobs,
  runDueJobs,
} from "./queue.ts";
export {
  type DailySchedule,
  dailySchedules,
  defineJob,
  type JobContext,
  type JobDefinition,
  type JobLogger,
  type JobOptions,
  PermanentJobError,
  scheduleDaily,
  silentLogger,
  unscheduleDaily,
} from "./registry.ts";
export { startWorker, type Worker, type WorkerOptions, wakeWorkers } from "./worker.ts";
