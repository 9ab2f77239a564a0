import { z } from "zod";
import { INSTANCE_TIME_ZONE } from "../../kernel/time.ts";
import { defineJob, scheduleDaily } from "../jobs/registry.ts";
import { CHUNK_JOB, planPublication, publishChunk, todayForPublication } from "./publication.service.ts";

/**
 * The nightly publication, in two steps so no job outlasts its lock:
 * - `publication.refresh` (once a day, dedupe key per local day) only plans: it finds the organisations
 *   whose figures changed since their last publication (or everyone when the month rolled over) and
 *   enqueues one `publication.chunk` job per whole sibling groups of about CHUNK_SIZE, naming their parents;
 * - each chunk publishes its organisations, any worker, side by side. A chunk that crashed is retried by
 *   the queue and publishes only what is still due (each organisation is written in its own transaction).
 */
const PUBLISH = "publication.refresh";

export const publishJob = defineJob(PUBLISH, z.object({}).passthrough(), async (_payload, ctx) => {
  const run = await planPublication(ctx.db, { rootId: null, force: false, today: todayForPublication(ctx.now) }, { now: ctx.now });
  ctx.log.info({ run: run.runId, organisations: run.organisations, chunks: run.chunks }, "publication planifiée");
});

const chunkScope = z.object({
  run: z.string().uuid(),
  rootId: z.string().uuid().nullable(),
  force: z.boolean(),
  today: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
/**
 * A chunk names its parents (`null`: the roots); a chunk enqueued before the upgrade named an id range,
 * still published (organisation by organisation) so a run under way at the upgrade ends complete.
 */
const chunkPayload = z.union([
  chunkScope.extend({ parents: z.array(z.string().uuid().nullable()).min(1) }),
  chunkScope.extend({ after: z.string().uuid().nullable(), upTo: z.string().uuid() }),
]);

export const chunkJob = defineJob(CHUNK_JOB, chunkPayload, async (payload, ctx) => {
  const selection = "parents" in payload ? { parents: payload.parents } : { after: payload.after, upTo: payload.upTo };
  const count = await publishChunk(ctx.db, payload, selection, ctx.now);
  ctx.log.info({ run: payload.run, organisations: count }, "lot de publication terminé");
});

scheduleDaily({ name: PUBLISH, hour: 4, timeZone: INSTANCE_TIME_ZONE, payload: {} });
