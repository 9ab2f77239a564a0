import { z } from "zod";
import { defineJob, PermanentJobError, retryDelayMs } from "../jobs/jobs.service.ts";
import * as repo from "./mail.repository.ts";
import { createMailTransport, type MailTransport } from "./mail.transport.ts";
import { classifyMailError, MAIL_ERROR_LABELS } from "./mail-errors.ts";
import { messageIdFor } from "./message-id.ts";

const MAX_ERROR_LENGTH = 2_000;

// The job is registered when this module is imported, before configuration is read: the transport is
// therefore set at start-up (useMailTransport), and read from the environment if nobody did.
let transport: MailTransport | undefined;

/** Sets the transport the "mail.send" job uses; returns the one it replaces, for the caller to close. */
export function useMailTransport(next: MailTransport): MailTransport | undefined {
  const previous = transport;
  transport = next;
  return previous;
}

export function currentTransport(): MailTransport {
  transport ??= createMailTransport(process.env);
  return transport;
}

/**
 * Sends one outbox row. Never twice once it is recorded as sent; if the worker dies between the
 * SMTP server's acceptance and that record, the resend carries the same Message-ID.
 * Each outcome is written on the row, so what a page says is what happened: sent, queued with the
 * time of the next try (a passing failure), or failed with the reason (a failure retrying cannot fix,
 * or the last try) — failed waits for someone to press « Renvoyer ».
 */
export const sendMailJob = defineJob(
  "mail.send",
  z.object({ orgId: z.guid(), outboxId: z.guid() }),
  async ({ orgId, outboxId }, { db, now, attempt, maxAttempts }) => {
    const row = await repo.findOutbox(db, orgId, outboxId);
    if (!row) throw new PermanentJobError(`message ${outboxId} introuvable dans la file d'envoi`);
    // Sent, or given up by an earlier round: only a new round (« Renvoyer ») sends it again.
    if (row.sent_at || row.status !== "queued") return;
    const mailer = currentTransport();
    const messageId = messageIdFor(row.id, mailer.from);
    try {
      await mailer.send({ to: row.recipient, subject: row.subject, text: row.body, messageId });
    } catch (error) {
      const failure = classifyMailError(error);
      const last = failure.permanent || attempt >= maxAttempts;
      await repo.recordFailure(db, orgId, outboxId, {
        code: failure.code,
        detail: failure.detail.slice(0, MAX_ERROR_LENGTH),
        failedAt: last ? now : null,
        nextAttemptAt: last ? null : new Date(now.getTime() + retryDelayMs(attempt)),
      });
      if (last) throw new PermanentJobError(`${MAIL_ERROR_LABELS[failure.code]} : ${failure.detail}`);
      throw error;
    }
    await repo.markSent(db, orgId, outboxId, new Date(), messageId);
  },
);
