import { z } from "zod";
import { INSTANCE_TIME_ZONE } from "../../kernel/time.ts";
import { enqueue } from "../jobs/jobs.service.ts";
import { defineJob, scheduleDaily } from "../jobs/registry.ts";
import { collectMailbox } from "./collect.ts";
import { COLLECT_JOB, collectKey } from "./mailboxes.service.ts";

/**
 * Collection runs in the durable queue, never on a timer of the web process: each run of a mailbox
 * enqueues the next one (a minute later, five after a failure), with a dedupe key per mailbox and
 * minute so two servers never read the same box twice at once. A daily job restarts any chain that
 * was lost (a job that failed for good, a mailbox restored from a backup).
 */
export const COLLECT_EVERY_MS = 60_000;
const AFTER_FAILURE_MS = 5 * 60_000;
const REVIVE = "mailboxes.revive";

export const collectJob = defineJob(
  COLLECT_JOB,
  z.object({ orgId: z.string().uuid(), mailboxId: z.string().uuid(), manual: z.boolean().optional() }),
  async (p, ctx) => {
    const exists = await ctx.db
      .selectFrom("mailboxes")
      .select("id")
      .where("org_id", "=", p.orgId)
      .where("id", "=", p.mailboxId)
      .executeTakeFirst();
    if (!exists) return;
    const result = await collectMailbox(ctx.db, p.orgId, p.mailboxId, { now: ctx.now, baseUrl: process.env.BASE_URL ?? "" });
    if (result.error) ctx.log.warn({ mailboxId: p.mailboxId, error: result.error }, "boîte aux lettres illisible");
    // « Relever maintenant » runs once, beside the chain: it must not start a second one.
    if (p.manual) return;
    const next = new Date(ctx.now.getTime() + (result.error ? AFTER_FAILURE_MS : COLLECT_EVERY_MS));
    await enqueue(ctx.db, { name: COLLECT_JOB, payload: p, runAt: next, dedupeKey: collectKey(p.mailboxId, next) });
  },
);

export const reviveJob = defineJob(REVIVE, z.object({}).passthrough(), async (_p, ctx) => {
  const boxes = await ctx.db.selectFrom("mailboxes").select(["org_id", "id"]).execute();
  for (const b of boxes) {
    await enqueue(ctx.db, { name: COLLECT_JOB, payload: { orgId: b.org_id, mailboxId: b.id }, dedupeKey: collectKey(b.id, ctx.now) });
  }
});

scheduleDaily({ name: REVIVE, hour: 0, timeZone: INSTANCE_TIME_ZONE, payload: {} });
