import { z } from "zod";
import { INSTANCE_TIME_ZONE } from "../../kernel/time.ts";
import { defineJob, scheduleDaily } from "../jobs/registry.ts";
import { sweepCallUploads } from "./upload-sweep.ts";

/**
 * Each night, the uploads nobody will read are deleted: files orphaned by a server killed mid-way,
 * files of finished imports, and those never given their column mapping in time (upload-sweep.ts).
 * The server also sweeps once when it starts (src/app/main.ts), so a crash's leftovers go at the restart.
 */
export const SWEEP_UPLOADS = "calls.sweep_uploads";

export const sweepUploadsJob = defineJob(SWEEP_UPLOADS, z.object({}).passthrough(), async (_payload, ctx) => {
  const report = await sweepCallUploads(ctx.db, ctx.now);
  if (report.removed || report.expired) ctx.log.info(report, "fichiers d'import orphelins ou expirés supprimés");
});

scheduleDaily({ name: SWEEP_UPLOADS, hour: 3, timeZone: INSTANCE_TIME_ZONE, payload: {} });
