import type { Kysely } from "kysely";
import type { z } from "zod";
import type { DB } from "../../db/schema.ts";
import { isTimeZone } from "./daily.ts";

/** The part of a pino logger (Fastify's `app.log`) the queue uses. */
export interface JobLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: JobLogger = { info() {}, warn() {}, error() {} };

export interface JobContext {
  db: Kysely<DB>;
  /** The instant of the batch: handlers compare against it rather than the clock, so tests can move time. */
  now: Date;
  log: JobLogger;
  /** This run's try (1 for the first) and the last one allowed: a handler that records its own state knows when it is the last. */
  attempt: number;
  maxAttempts: number;
}

/**
 * Thrown by a handler when trying again cannot help (the row it works on is gone, the payload is
 * malformed): the job is marked failed at once instead of being retried.
 */
export class PermanentJobError extends Error {
  override readonly name = "PermanentJobError";
}

export interface JobDefinition<P> {
  name: string;
  /** Validates a payload; throws a ZodError on a bad one. */
  parse(payload: unknown): P;
}

/** What becomes of a job whose server died while running it, on a database that server held alone (the embedded engine). */
export interface JobOptions {
  /**
   * « resume » (the default): claimed again at the next server's first pass. « wait »: left until its lock runs out
   * (`DEFAULT_LOCK_MS`), as on PostgreSQL — for a job that reads a person's file, which may be what killed the
   * server: the import's page offers « Reprendre » and « Abandonner » meanwhile, instead of a crash at each restart.
   */
  afterCrash?: "resume" | "wait";
}

interface RegisteredJob {
  name: string;
  afterCrash: "resume" | "wait";
  parse(payload: unknown): unknown;
  /** Validates then handles: the payload crosses the database as JSON, so it is checked on the way out too. */
  run(payload: unknown, ctx: JobContext): Promise<void>;
}

export interface DailySchedule {
  name: string;
  /** Local hour (0–23) from which the day's run is due. */
  hour: number;
  timeZone: string;
  payload: unknown;
}

// Module-level registries: job modules register their definitions when imported, the way routes are
// declared, so a server runs exactly the jobs whose code it loaded.
const jobs = new Map<string, RegisteredJob>();
const schedules = new Map<string, DailySchedule>();

export function defineJob<P>(
  name: string,
  payloadSchema: z.ZodType<P>,
  handler: (payload: P, ctx: JobContext) => Promise<void>,
  options: JobOptions = {},
): JobDefinition<P> {
  if (jobs.has(name)) throw new Error(`tâche déjà définie : ${name}`);
  const parse = (payload: unknown): P => payloadSchema.parse(payload);
  jobs.set(name, {
    name,
    afterCrash: options.afterCrash ?? "resume",
    parse,
    async run(payload, ctx) {
      const parsed = payloadSchema.safeParse(payload);
      if (!parsed.success) throw new PermanentJobError(`contenu de tâche invalide : ${parsed.error.message}`);
      await handler(parsed.data, ctx);
    },
  });
  return { name, parse };
}

export function findJob(name: string): RegisteredJob | undefined {
  return jobs.get(name);
}

/** The names this process can run: a server never claims a job it has no code for (e.g. during a rolling upgrade). */
export function knownJobNames(): string[] {
  return [...jobs.keys()];
}

/** The jobs this process resumes at once after a crash (see `JobOptions.afterCrash`). */
export function resumableJobNames(): string[] {
  return [...jobs.values()].filter((job) => job.afterCrash === "resume").map((job) => job.name);
}

/** Enqueues `name` once a day, from `hour` local time in `timeZone`; the job itself is declared with defineJob. */
export function scheduleDaily(schedule: DailySchedule): void {
  if (schedules.has(schedule.name)) throw new Error(`planification déjà définie : ${schedule.name}`);
  if (!Number.isInteger(schedule.hour) || schedule.hour < 0 || schedule.hour > 23) {
    throw new Error(`heure invalide pour ${schedule.name} : ${schedule.hour}`);
  }
  if (!isTimeZone(schedule.timeZone)) throw new Error(`fuseau horaire inconnu pour ${schedule.name} : ${schedule.timeZone}`);
  schedules.set(schedule.name, { ...schedule });
}

/** Stops enqueuing `name` each day (a test that studies one schedule sets the application's others aside). */
export function unscheduleDaily(name: string): void {
  schedules.delete(name);
}

export function dailySchedules(): DailySchedule[] {
  return [...schedules.values()];
}
