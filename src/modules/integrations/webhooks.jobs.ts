import { z } from "zod";
import { defineJob, PermanentJobError, retryDelayMs } from "../jobs/jobs.service.ts";
import * as repo from "./webhooks.repository.ts";
import { DELIVER_JOB, signature } from "./webhooks.service.ts";

const TIMEOUT_MS = 10_000;

/**
 * Sends one delivery. Its row says what happened (the endpoint's log): delivered with the receiver's
 * code, queued with the time of the next try, or failed after the last. A worker dying after the
 * receiver's answer and before the record sends it again, with the same event id: receivers
 * deduplicate on it.
 */
export const deliverWebhookJob = defineJob(
  DELIVER_JOB,
  z.object({ deliveryId: z.guid() }),
  async ({ deliveryId }, { db, now, attempt, maxAttempts }) => {
    const delivery = await repo.deliveryToSend(db, deliveryId);
    // The endpoint was deleted (its deliveries with it), or an earlier run already delivered it.
    if (delivery?.status !== "queued") return;
    const sentAt = new Date();
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Vigie-Webhooks/1",
          "vigie-signature": signature(delivery.secret, delivery.body, sentAt),
        },
        body: delivery.body,
        redirect: "manual",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      httpStatus = response.status;
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) {
        await repo.recordAttempt(db, deliveryId, { status: "delivered", httpStatus, error: null, nextAttemptAt: null, at: new Date() });
        return;
      }
      error = `le destinataire a répondu ${response.status}`;
    } catch (caught) {
      error =
        caught instanceof Error && caught.name === "TimeoutError"
          ? "pas de réponse en 10 secondes"
          : `injoignable (${caught instanceof Error ? caught.message : String(caught)})`;
    }
    const last = attempt >= maxAttempts;
    await repo.recordAttempt(db, deliveryId, {
      status: last ? "failed" : "queued",
      httpStatus,
      error: error.slice(0, 500),
      nextAttemptAt: last ? null : new Date(now.getTime() + retryDelayMs(attempt)),
      at: new Date(),
    });
    if (last) throw new PermanentJobError(`webhook ${deliveryId} : ${error}`);
    throw new Error(`webhook ${deliveryId} : ${error}`);
  },
);
