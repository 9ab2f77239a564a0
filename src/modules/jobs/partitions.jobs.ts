import { z } from "zod";
import { preparePartitions } from "../../db/partitions.ts";
import { INSTANCE_TIME_ZONE } from "../../kernel/time.ts";
import { defineJob, scheduleDaily } from "./registry.ts";

/**
 * The monthly partitions of `calls` and `audit_log` (PostgreSQL, src/db/partitions.ts), created each
 * night three months ahead, so a month's rows never wait in the default partition; rows that did (an
 * old call log) are moved into their month's new partition. Does nothing on the embedded engine.
 * Idempotent: a partition that exists is left alone, two servers at once wait for each other.
 */
export const PREPARE_PARTITIONS = "partitions.prepare";

export const preparePartitionsJob = defineJob(PREPARE_PARTITIONS, z.object({}).passthrough(), async (_payload, ctx) => {
  const created = await preparePartitions(ctx.db, ctx.now);
  if (created.calls.length || created.audit_log.length) ctx.log.info(created, "partitions mensuelles créées");
});

scheduleDaily({ name: PREPARE_PARTITIONS, hour: 1, timeZone: INSTANCE_TIME_ZONE, payload: {} });
