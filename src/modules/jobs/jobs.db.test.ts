import { setTimeout as sleep } from "node:timers/promises";
import type { Kysely } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { engineName, openTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import { type Database, openDatabase } from "../../db/database.ts";
import type { DB } from "../../db/schema.ts";
import { claimDue, insertJob } from "./jobs.repository.ts";
import {
  dailySchedules,
  defineJob,
  enqueue,
  enqueueDailySchedules,
  PermanentJobError,
  resumeInterruptedJobs,
  runDueJobs,
  scheduleDaily,
  startWorker,
  unscheduleDaily,
  wakeWorkers,
} from "./jobs.service.ts";

const MINUTE = 60_000;
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

// Handlers report to these, so a test sees what ran and how often.
const calls: { name: string; payload: unknown }[] = [];
const events: string[] = [];
let failuresLeft = 0;

const echo = defineJob("test.echo", z.object({ n: z.number().int() }), async (payload) => {
  calls.push({ name: "test.echo", payload });
});
defineJob("test.flaky", z.object({}), async () => {
  calls.push({ name: "test.flaky", payload: {} });
  if (failuresLeft > 0) {
    failuresLeft -= 1;
    throw new Error("service distant indisponible");
  }
});
const waiting = defineJob(
  "test.waiting",
  z.object({}),
  async () => {
    calls.push({ name: "test.waiting", payload: {} });
  },
  { afterCrash: "wait" },
);
defineJob("test.hopeless", z.object({}), async () => {
  throw new PermanentJobError("la ligne a disparu");
});
defineJob("test.slow", z.object({ n: z.number().int() }), async (payload) => {
  calls.push({ name: "test.slow", payload: payload.n });
  await sleep(5);
});
// Runs longer than the worker's interval and enqueues a follow-up while it runs.
defineJob("test.long", z.object({}), async (_payload, ctx) => {
  events.push("long:start");
  await enqueue(ctx.db, { name: "test.follow-up", payload: {} });
  await sleep(100);
  events.push("long:end");
});
defineJob("test.follow-up", z.object({}), async () => {
  events.push("follow-up");
});
defineJob("test.daily", z.object({ report: z.string() }), async (payload) => {
  calls.push({ name: "test.daily", payload });
});
// Runs three times longer than the lock the test gives it: only the heartbeat keeps it claimed.
let overruns = 0;
defineJob("test.overrun", z.object({}), async () => {
  overruns += 1;
  await sleep(900);
});
scheduleDaily({ name: "test.daily", hour: 6, timeZone: "Europe/Paris", payload: { report: "synthèse" } });
// The application's own schedules, loaded with its modules in every test file (test/support/assemble.ts),
// are not this file's subject: counts below are of its own schedule.
for (const s of dailySchedules()) if (!s.name.startsWith("test.")) unscheduleDaily(s.name);

/** Waits until `done()` holds, for at most 10 s: long enough for a loaded machine, short enough to fail a hung test. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await sleep(5);
}

async function jobRows(db: Kysely<DB>, name: string) {
  return db.selectFrom("jobs").selectAll().where("name", "=", name).orderBy("id").execute();
}

async function onlyJob(db: Kysely<DB>, name: string) {
  const rows = await jobRows(db, name);
  expect(rows).toHaveLength(1);
  const [row] = rows;
  if (!row) throw new Error("aucune tâche");
  return row;
}

describe(`job queue (${engineName})`, () => {
  let t: TestDatabase;
  let db: Kysely<DB>;
  beforeAll(async () => {
    t = await openTestDatabase({ referenceData: false });
    db = t.db;
  });
  afterAll(() => t.close());
  afterEach(async () => {
    await db.deleteFrom("jobs").execute();
    calls.length = 0;
    events.length = 0;
    failuresLeft = 0;
  });

  it("enqueues a job with a dedupe key once, and only if the caller's transaction commits", async () => {
    expect(await enqueue(db, { name: echo.name, payload: { n: 1 }, dedupeKey: "k-1" })).toBe(true);
    expect(await enqueue(db, { name: echo.name, payload: { n: 2 }, dedupeKey: "k-1" })).toBe(false);
    expect(await enqueue(db, { name: echo.name, payload: { n: 3 } })).toBe(true);
    expect(await enqueue(db, { name: echo.name, payload: { n: 4 } })).toBe(true);

    await expect(
      db.transaction().execute(async (trx) => {
        await enqueue(trx, { name: echo.name, payload: { n: 5 }, dedupeKey: "k-2" });
        throw new Error("la demande n'a pas été enregistrée");
      }),
    ).rejects.toThrow("la demande");
    expect((await jobRows(db, echo.name)).map((r) => r.payload)).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }]);
    // The key of a rolled-back job is free again.
    expect(await enqueue(db, { name: echo.name, payload: { n: 6 }, dedupeKey: "k-2" })).toBe(true);
  });

  it("refuses, at enqueue time, a payload the handler would refuse", async () => {
    await expect(enqueue(db, { name: echo.name, payload: { n: "un" } })).rejects.toThrow();
    expect(await jobRows(db, echo.name)).toEqual([]);
  });

  it("runs a due job once and marks it done; a job not yet due waits", async () => {
    const now = new Date();
    await enqueue(db, { name: echo.name, payload: { n: 1 }, runAt: now });
    await enqueue(db, { name: echo.name, payload: { n: 2 }, runAt: at(now, 10 * MINUTE) });
    expect(await runDueJobs(db, { now })).toEqual({ done: 1, failed: 0, retried: 0 });
    expect(calls.map((c) => c.payload)).toEqual([{ n: 1 }]);
    expect(await runDueJobs(db, { now })).toEqual({ done: 0, failed: 0, retried: 0 });

    const [first, second] = await jobRows(db, echo.name);
    expect(first?.done_at).toBeInstanceOf(Date);
    expect(first?.attempts).toBe(1);
    expect(first?.locked_until).toBeNull();
    expect(second?.done_at).toBeNull();

    expect(await runDueJobs(db, { now: at(now, 10 * MINUTE) })).toEqual({ done: 1, failed: 0, retried: 0 });
    expect(calls.map((c) => c.payload)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("retries a failing job with growing delays, then gives up and stays failed", async () => {
    const t0 = new Date();
    failuresLeft = 10;
    await enqueue(db, { name: "test.flaky", payload: {}, runAt: t0, maxAttempts: 3 });

    expect(await runDueJobs(db, { now: t0 })).toEqual({ done: 0, failed: 0, retried: 1 });
    let row = await onlyJob(db, "test.flaky");
    expect(row.run_at.getTime()).toBe(t0.getTime() + 30_000);
    expect(row.last_error).toBe("service distant indisponible");
    expect(row.locked_until).toBeNull();

    expect(await runDueJobs(db, { now: at(t0, 29_000) })).toEqual({ done: 0, failed: 0, retried: 0 });
    const t1 = at(t0, 30_000);
    expect(await runDueJobs(db, { now: t1 })).toEqual({ done: 0, failed: 0, retried: 1 });
    row = await onlyJob(db, "test.flaky");
    expect(row.run_at.getTime()).toBe(t1.getTime() + 60_000);

    const t2 = at(t1, 60_000);
    expect(await runDueJobs(db, { now: t2 })).toEqual({ done: 0, failed: 1, retried: 0 });
    row = await onlyJob(db, "test.flaky");
    expect(row).toMatchObject({ attempts: 3, max_attempts: 3, done_at: null, locked_until: null });
    expect(row.last_error).toBe("service distant indisponible");
    expect(row.run_at.getTime()).toBe(t2.getTime());

    expect(await runDueJobs(db, { now: at(t2, 30 * 24 * 60 * MINUTE) })).toEqual({ done: 0, failed: 0, retried: 0 });
    expect(calls).toHaveLength(3);
  });

  it("completes a job that succeeds on a later try", async () => {
    const t0 = new Date();
    failuresLeft = 1;
    await enqueue(db, { name: "test.flaky", payload: {}, runAt: t0 });
    expect(await runDueJobs(db, { now: t0 })).toEqual({ done: 0, failed: 0, retried: 1 });
    expect(await runDueJobs(db, { now: at(t0, MINUTE) })).toEqual({ done: 1, failed: 0, retried: 0 });
    const row = await onlyJob(db, "test.flaky");
    expect(row).toMatchObject({ attempts: 2, last_error: null });
    expect(row.done_at).toBeInstanceOf(Date);
  });

  it("fails at once, without retrying, a job whose payload is invalid or whose handler says retrying is useless", async () => {
    const now = new Date();
    // As an older version of the code could have left it in the table.
    await insertJob(db, { name: echo.name, payload: { count: 1 }, runAt: now, dedupeKey: undefined, maxAttempts: 5 });
    await enqueue(db, { name: "test.hopeless", payload: {}, runAt: now });
    expect(await runDueJobs(db, { now })).toEqual({ done: 0, failed: 2, retried: 0 });
    expect(calls).toEqual([]);

    const invalid = await onlyJob(db, echo.name);
    expect(invalid).toMatchObject({ attempts: 1, max_attempts: 1, done_at: null });
    expect(invalid.last_error).toContain("contenu de tâche invalide");
    expect((await onlyJob(db, "test.hopeless")).last_error).toBe("la ligne a disparu");
    expect(await runDueJobs(db, { now: at(now, 7 * 24 * 60 * MINUTE) })).toEqual({ done: 0, failed: 0, retried: 0 });
  });

  it("claims again a job whose worker died, once its lock has expired", async () => {
    const t0 = new Date();
    await enqueue(db, { name: echo.name, payload: { n: 7 }, runAt: t0 });
    // A worker claims it, then dies before running it.
    const claimed = await claimDue(db, { now: t0, lockedUntil: at(t0, 5 * MINUTE), limit: 10, names: [echo.name] });
    expect(claimed).toHaveLength(1);

    expect(await runDueJobs(db, { now: at(t0, 4 * MINUTE) })).toEqual({ done: 0, failed: 0, retried: 0 });
    expect(calls).toEqual([]);
    expect(await runDueJobs(db, { now: at(t0, 5 * MINUTE + 1) })).toEqual({ done: 1, failed: 0, retried: 0 });
    expect(calls.map((c) => c.payload)).toEqual([{ n: 7 }]);
    expect(await onlyJob(db, echo.name)).toMatchObject({ attempts: 2, locked_until: null });
  });

  // The embedded engine's server calls it at start-up: the folder is its alone, so a claim there was a dead server's.
  it("resumes at once the jobs a dead server held, but leaves a person's import to its page until the lock runs out", async () => {
    const t0 = new Date();
    await enqueue(db, { name: echo.name, payload: { n: 8 }, runAt: t0 });
    await enqueue(db, { name: waiting.name, payload: {}, runAt: t0 });
    expect(await claimDue(db, { now: t0, lockedUntil: at(t0, 5 * MINUTE), limit: 10, names: [echo.name, waiting.name] })).toHaveLength(2);

    expect(await resumeInterruptedJobs(db)).toBe(1);
    expect(await runDueJobs(db, { now: t0 })).toEqual({ done: 1, failed: 0, retried: 0 });
    expect(calls.map((c) => c.name)).toEqual(["test.echo"]);
    expect(await onlyJob(db, waiting.name)).toMatchObject({ attempts: 1, done_at: null });
    expect(await runDueJobs(db, { now: at(t0, 5 * MINUTE + 1) })).toEqual({ done: 1, failed: 0, retried: 0 });
    expect(calls.map((c) => c.name)).toEqual(["test.echo", "test.waiting"]);
  });

  it("never runs a job twice when several workers run at the same time", async () => {
    // On PostgreSQL the second "server" has its own connection pool, so claims truly race;
    // PGlite has one connection and serialises them.
    let other: Database | undefined;
    if (t.url) other = await openDatabase({ url: t.url, schema: t.schema });
    try {
      const total = 60;
      for (let n = 0; n < total; n++) await enqueue(db, { name: "test.slow", payload: { n } });
      const servers = [db, other?.db ?? db];
      const doneBy = await Promise.all(
        Array.from({ length: 4 }, async (_, w) => {
          const server = servers[w % servers.length] ?? db;
          let done = 0;
          for (;;) {
            const counts = await runDueJobs(server, { limit: 5 });
            done += counts.done;
            if (counts.done + counts.failed + counts.retried === 0) return done;
          }
        }),
      );
      // The workers did share the work: this test did exercise concurrent claims.
      expect(doneBy.filter((done) => done > 0).length).toBeGreaterThan(1);
      expect(doneBy.reduce((a, b) => a + b, 0)).toBe(total);
      const ran = calls.filter((c) => c.name === "test.slow").map((c) => c.payload);
      expect(ran).toHaveLength(total);
      expect(new Set(ran).size).toBe(total);
      const rows = await jobRows(db, "test.slow");
      expect(rows.every((r) => r.done_at !== null && r.attempts === 1)).toBe(true);
    } finally {
      await other?.close();
    }
  });

  it("extends the lock of a job longer than its lock, so a second worker never runs it a second time", async () => {
    let other: Database | undefined;
    if (t.url) other = await openDatabase({ url: t.url, schema: t.schema });
    try {
      overruns = 0;
      await enqueue(db, { name: "test.overrun", payload: {} });
      const lockMs = 300;
      const first = runDueJobs(db, { lockMs });
      let finished = false;
      void first.finally(() => {
        finished = true;
      });
      // The second server polls all along, well past the first claim's original expiry.
      let polls = 0;
      let taken = 0;
      while (!finished) {
        const counts = await runDueJobs(other?.db ?? db, { lockMs });
        taken += counts.done + counts.failed + counts.retried;
        polls += 1;
        await sleep(40);
      }
      expect(await first).toEqual({ done: 1, failed: 0, retried: 0 });
      expect(polls).toBeGreaterThan(5);
      expect(taken).toBe(0);
      expect(overruns).toBe(1);
      expect(await onlyJob(db, "test.overrun")).toMatchObject({ attempts: 1, locked_until: null });
      expect((await onlyJob(db, "test.overrun")).done_at).not.toBeNull();
    } finally {
      await other?.close();
    }
  });

  it("enqueues a daily schedule once per local day, however many ticks and servers", async () => {
    let other: Database | undefined;
    if (t.url) other = await openDatabase({ url: t.url, schema: t.schema });
    try {
      // 05:59 in Paris (UTC+1 in March): not yet.
      expect(await enqueueDailySchedules(db, new Date("2025-03-10T04:59:00Z"))).toBe(0);
      const morning = new Date("2025-03-10T05:00:00Z");
      // Ten servers ticking at once, each with an empty memory (as after a restart).
      const servers = [db, other?.db ?? db];
      const ticks = await Promise.all(Array.from({ length: 10 }, (_, i) => enqueueDailySchedules(servers[i % 2] ?? db, morning)));
      expect(ticks.reduce((a, b) => a + b, 0)).toBe(1);
      for (let minute = 1; minute < 20 * 60; minute += 37) {
        expect(await enqueueDailySchedules(db, at(morning, minute * MINUTE))).toBe(0);
      }
      const rows = await jobRows(db, "test.daily");
      expect(rows.map((r) => r.dedupe_key)).toEqual(["test.daily:2025-03-10"]);

      expect(await runDueJobs(db, { now: at(morning, 10 * MINUTE) })).toEqual({ done: 1, failed: 0, retried: 0 });
      expect(await enqueueDailySchedules(db, at(morning, 3 * 60 * MINUTE))).toBe(0);
      expect(await runDueJobs(db, { now: at(morning, 3 * 60 * MINUTE) })).toEqual({ done: 0, failed: 0, retried: 0 });

      // A process remembers what it enqueued, and skips the insert on later ticks the same day.
      const seen = new Map<string, string>();
      const nextMorning = new Date("2025-03-11T05:30:00Z");
      expect(await enqueueDailySchedules(db, nextMorning, seen)).toBe(1);
      expect(seen.get("test.daily")).toBe("test.daily:2025-03-11");
      expect(await enqueueDailySchedules(db, at(nextMorning, MINUTE), seen)).toBe(0);
      expect(await runDueJobs(db, { now: at(nextMorning, MINUTE) })).toEqual({ done: 1, failed: 0, retried: 0 });
      expect(calls.filter((c) => c.name === "test.daily").map((c) => c.payload)).toEqual([{ report: "synthèse" }, { report: "synthèse" }]);
    } finally {
      await other?.close();
    }
  });

  it("keeps polling in the background, never overlaps its batches, and stops after the batch under way", async () => {
    const log = { info() {}, warn() {}, error() {} };
    await enqueue(db, { name: "test.long", payload: {} });
    const worker = startWorker({ db, log, intervalMs: 10 });
    await until(() => events.includes("follow-up"));
    // Ten intervals went by during the long job: an overlapping pass would have run the follow-up first.
    expect(events).toEqual(["long:start", "long:end", "follow-up"]);

    await enqueue(db, { name: "test.long", payload: {} });
    await until(() => events.length >= 4);
    await worker.stop();
    // stop() waited for the job under way to finish, and nothing runs afterwards.
    expect(events.slice(3)).toEqual(["long:start", "long:end"]);
    await sleep(50);
    expect(events).toHaveLength(5);
    expect((await jobRows(db, "test.long")).every((r) => r.done_at !== null)).toBe(true);
  });

  it("runs a job at once when woken, rather than at the next poll a minute later", async () => {
    const log = { info() {}, warn() {}, error() {} };
    calls.length = 0;
    const worker = startWorker({ db, log, intervalMs: 60_000, schedules: false });
    try {
      await sleep(200); // the first pass found nothing; the next poll is a minute away
      await enqueue(db, { name: "test.echo", payload: { n: 7 } });
      await sleep(300);
      expect(calls).toEqual([]);
      const woken = Date.now();
      wakeWorkers();
      await until(() => calls.length > 0);
      expect(calls).toEqual([{ name: "test.echo", payload: { n: 7 } }]);
      expect(Date.now() - woken).toBeLessThan(5_000);
    } finally {
      await worker.stop();
    }
  });
});
