import { z } from "zod";
import { INSTANCE_TIME_ZONE } from "../../kernel/time.ts";
import { purgeUndecidedImports } from "../calls/calls.service.ts";
import { defineJob, scheduleDaily } from "../jobs/registry.ts";
import { applyAllRetention, applyAuditRetention } from "./privacy.service.ts";
import { UNDECIDED_IMPORT_DAYS } from "./retention.ts";

/**
 * Every night (3 h, after the backup): people past their retention period are removed, and call
 * imports nobody decided on are dropped, and audit lines past their period deleted. Both are idempotent, so a retry or a second server is harmless.
 */
const RETENTION = "privacy.retention";

export const retentionJob = defineJob(RETENTION, z.object({}).passthrough(), async (_payload, ctx) => {
  await applyAllRetention(ctx.db, ctx.now);
  await applyAuditRetention(ctx.db, ctx.now);
  await purgeUndecidedImports(ctx.db, UNDECIDED_IMPORT_DAYS, ctx.now);
});

scheduleDaily({ name: RETENTION, hour: 3, timeZone: INSTANCE_TIME_ZONE, payload: {} });
