import { z } from "zod";
import { INSTANCE_TIME_ZONE } from "../../kernel/time.ts";
import { defineJob, scheduleDaily } from "../jobs/registry.ts";
import { carryImport, IMPORT_JOB } from "./calls.import.ts";
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

/**
 * An import's step, enqueued by its page: reading the uploaded file (then recording it when no line is
 * faulty), recording a read file, or taking out the calls of a dropped one (calls.import.ts, carryImport).
 * Idempotent: run again after a worker died, it resumes from what was staged or recorded.
 */
export const importStepJob = defineJob(
  IMPORT_JOB,
  z.object({
    orgId: z.string(),
    importId: z.string(),
    key: z.string(),
    author: z.object({ accountId: z.string().nullable(), label: z.string() }),
  }),
  async (payload, ctx) => {
    await carryImport(ctx.db, payload.author, payload.orgId, payload.importId, payload.key);
  },
  // The file may be what killed the server: after a crash, its page offers « Reprendre » or « Abandonner ».
  { afterCrash: "wait" },
);
