import path from "node:path";
import { z } from "zod";
import { INSTANCE_TIME_ZONE } from "../../kernel/time.ts";
import { defineJob, PermanentJobError, scheduleDaily } from "../jobs/registry.ts";
import { BackupError, backupEmbedded, backupFileName, rotateBackups } from "./backup.ts";

/**
 * The nightly backup of the embedded database, taken by the server itself (it holds the data folder:
 * no other process may open it while it runs). PostgreSQL is backed up by its own tools and the
 * operator's schedule (`npm run backup` from cron, or the hosting's snapshots).
 */
const NIGHTLY = "backup.embedded";

export const nightlyBackupJob = defineJob(
  NIGHTLY,
  z.object({ dir: z.string().min(1), keep: z.number().int().min(1) }),
  async ({ dir, keep }, ctx) => {
    try {
      const file = path.join(dir, backupFileName("pglite", ctx.now));
      const { bytes } = await backupEmbedded(ctx.db, file);
      const removed = rotateBackups(dir, keep);
      ctx.log.info({ file, bytes, removed }, "sauvegarde de la base embarquée écrite");
    } catch (error) {
      if (error instanceof BackupError) throw new PermanentJobError(error.message);
      throw error;
    }
  },
);

/** Called at start-up when the server runs on the embedded engine. */
export function scheduleNightlyBackup(dir: string, keep: number): void {
  scheduleDaily({ name: NIGHTLY, hour: 2, timeZone: INSTANCE_TIME_ZONE, payload: { dir, keep } });
}
