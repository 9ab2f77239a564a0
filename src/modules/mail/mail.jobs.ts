import { z } from "zod";
import { defineJob, PermanentJobError } from "../jobs/jobs.service.ts";
import * as repo from "./mail.repository.ts";
import { createMailTransport, type MailTransport } from "./mail.transport.ts";
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

function currentTransport(): MailTransport {
  transport ??= createMailTransport(process.env);
  return transport;
}

/**
 * Sends one outbox row. Never twice once it is recorded as sent; if the worker dies between the
 * SMTP server's acceptance and that record, the resend carries the same Message-ID.
 */
export const sendMailJob = defineJob(
  "mail.send",
  z.object({ orgId: z.guid(), outboxId: z.guid() }),
  async ({ orgId, outboxId }, { db }) => {
    const row = await repo.findOutbox(db, orgId, outboxId);
    if (!row) throw new PermanentJobError(`message ${outboxId} introuvable dans la file d'envoi`);
    if (row.sent_at) return;
    const mailer = currentTransport();
    const messageId = messageIdFor(row.id, mailer.from);
    try {
      await mailer.send({ to: row.recipient, subject: row.subject, text: row.body, messageId });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // Kept on the row for whoever looks at the message; thrown again so the queue retries it.
      await repo.recordError(db, orgId, outboxId, reason.slice(0, MAX_ERROR_LENGTH));
      throw error;
    }
    await repo.markSent(db, orgId, outboxId, new Date(), messageId);
  },
);
