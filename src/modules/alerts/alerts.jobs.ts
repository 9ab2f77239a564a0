import { z } from "zod";
import type { DigestSection } from "../../kernel/digest.ts";
import { INSTANCE_TIME_ZONE } from "../../kernel/time.ts";
import { defineJob, scheduleDaily } from "../jobs/registry.ts";
import { digestAlerts, runDeadlineAlerts } from "./alerts.service.ts";

/**
 * The deadline scan, each morning before the digest (7 h) so alerts sent to the digest make today's.
 * Idempotent (the unique key of notifications): a retry, a second server or a second run alerts no one twice.
 */
const DEADLINES = "alerts.deadlines";
export const deadlineAlertsJob = defineJob(DEADLINES, z.object({}).passthrough(), async (_payload, ctx) => {
  const created = await runDeadlineAlerts(ctx.db, ctx.now);
  if (created) ctx.log.info({ alerts: created }, "alertes d'échéance");
});
scheduleDaily({ name: DEADLINES, hour: 6, timeZone: INSTANCE_TIME_ZONE, payload: {} });

/** The alerts a person sent to « le récapitulatif quotidien » are a section of it (handed in by alerts.module.ts). */
export const alertsDigestSection: DigestSection = async (db, scope) =>
  scope.accountId ? digestAlerts(db, scope.accountId, scope.orgIds, scope.date) : null;
