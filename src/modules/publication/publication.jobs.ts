import { z } from "zod";
import { defineJob, scheduleDaily } from "../jobs/registry.ts";
import { refreshAllPublications } from "./publication.service.ts";

/**
 * The nightly publication: every organisation's figures recomputed into `published_figures`, before
 * anyone opens the public page in the morning. Enqueued once a day (dedupe key per local day); the
 * handler is idempotent (each organisation's periods are replaced in one transaction).
 */
const PUBLISH = "publication.refresh";

export const publishJob = defineJob(PUBLISH, z.object({}).passthrough(), async (_payload, ctx) => {
  const count = await refreshAllPublications(ctx.db, ctx.now);
  ctx.log.info({ organisations: count }, "résultats publiés recalculés");
});

scheduleDaily({ name: PUBLISH, hour: 4, timeZone: "Europe/Paris", payload: {} });
