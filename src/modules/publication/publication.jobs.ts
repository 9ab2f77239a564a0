import { z } from "zod";
import { defineJob, scheduleDaily } from "../jobs/registry.ts";
import { CHUNK_JOB, planPublication, publishChunk, todayForPublication } from "./publication.service.ts";

/**
 * The nightly publication, in two steps so no job outlasts its lock:
 * - `publication.refresh` (once a day, dedupe key per local day) only plans: it finds the organisations
 *   whose figures changed since their last publication (or everyone when the month rolled over) and
 *   enqueues one `publication.chunk` job per CHUNK_SIZE of them, by keyset over their ids;
 * - each chunk publishes its organisations, any worker, side by side. A chunk that crashed is retried by
 *   the queue and publishes only what is still due (each organisation is written in its own transaction).
 */
const PUBLISH = "publication.refresh";

export const publishJob = defineJob(PUBLISH, z.object({}).passthrough(), async (_payload, ctx) => {
  const run = await planPublication(ctx.db, { rootId: null, force: false, today: todayForPublication(ctx.now) }, { now: ctx.now });
  ctx.log.info({ run: run.runId, organisations: run.organisations, chunks: run.chunks }, "publication planifiée");
});

const chunkPayload = z.object({
  run: z.string().uuid(),
  rootId: z.string().uuid().nullable(),
  force: z.boolean(),
  today: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  after: z.string().uuid().nullable(),
  upTo: z.string().uuid(),
});

export const chunkJob = defineJob(CHUNK_JOB, chunkPayload, async (payload, ctx) => {
  const count = await publishChunk(ctx.db, payload, payload, ctx.now);
  ctx.log.info({ run: payload.run, organisations: count }, "lot de publication terminé");
});

scheduleDaily({ name: PUBLISH, hour: 4, timeZone: "Europe/Paris", payload: {} });
