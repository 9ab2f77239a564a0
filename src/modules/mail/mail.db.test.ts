import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Kysely } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { engineName, openTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import { type SmtpListener, startSmtpListener } from "../../../test/support/smtp.ts";
import type { DB } from "../../db/schema.ts";
import type { Actor } from "../../kernel/roles.ts";
import { runDueJobs } from "../jobs/jobs.service.ts";
import {
  createMailTransport,
  findOutboxEntry,
  mailHealth,
  queueEmail,
  retryAllFailed,
  retryMessage,
  useMailTransport,
} from "./mail.service.ts";

const ORG = randomUUID();
const FROM = "Mairie de Besançon <accueil@besancon.example>";
const MINUTE = 60_000;
const AGENT: Actor = { accountId: randomUUID(), email: "agent@besancon.example", displayName: "Agent", instanceAdmin: false, grants: [] };

const acknowledgement = (to: string) => ({
  orgId: ORG,
  requestId: randomUUID(),
  kind: "acknowledgement",
  to,
  subject: "Accusé de réception — votre réclamation n° 2025-0042",
  text: "Madame, Monsieur,\n\nNous avons bien reçu votre réclamation. Réponse annoncée sous 15 jours ouvrés.\n\nL'équipe d'accueil — Hôtel de ville, à Besançon",
});

async function jobOf(db: Kysely<DB>, outboxId: string) {
  return db.selectFrom("jobs").selectAll().where("dedupe_key", "=", `mail.send:${outboxId}`).executeTakeFirstOrThrow();
}

describe(`e-mail through the outbox and SMTP (${engineName})`, () => {
  let t: TestDatabase;
  let db: Kysely<DB>;
  let smtp: SmtpListener;
  beforeAll(async () => {
    t = await openTestDatabase({ referenceData: false });
    db = t.db;
    smtp = await startSmtpListener();
    useMailTransport(createMailTransport({ SMTP_URL: smtp.url, MAIL_FROM: FROM }));
  });
  afterAll(async () => {
    useMailTransport(createMailTransport({}))?.close();
    await smtp.close();
    await t.close();
  });
  afterEach(async () => {
    await db.deleteFrom("jobs").execute();
    await db.deleteFrom("outbox").execute();
    await db.deleteFrom("audit_log").execute();
    smtp.messages.length = 0;
    smtp.rejectRecipients = false;
  });

  it("sends a queued message once, as it left, accents and all", async () => {
    const id = await db.transaction().execute((trx) => queueEmail(trx, acknowledgement("rene.leveque@example.fr")));
    expect(await findOutboxEntry(db, ORG, id)).toMatchObject({ status: "queued", sentAt: null, error: null, kind: "acknowledgement" });

    expect(await runDueJobs(db)).toEqual({ done: 1, failed: 0, retried: 0 });
    const received = await smtp.waitFor((m) => m.envelopeTo.includes("rene.leveque@example.fr"));
    expect(received.subject).toBe("Accusé de réception — votre réclamation n° 2025-0042");
    expect(received.text.trim()).toBe(acknowledgement("").text);
    expect(received.to).toEqual(["rene.leveque@example.fr"]);
    expect(received.from).toBe('"Mairie de Besançon" <accueil@besancon.example>');
    expect(received.envelopeFrom).toBe("accueil@besancon.example");
    expect(received.messageId).toBe(`<${id}@besancon.example>`);
    expect(received.user).toBeUndefined();

    const entry = await findOutboxEntry(db, ORG, id);
    expect(entry?.sentAt).toBeInstanceOf(Date);
    expect(entry?.status).toBe("sent");
    expect(entry?.messageId).toBe(`<${id}@besancon.example>`);

    expect(await runDueJobs(db)).toEqual({ done: 0, failed: 0, retried: 0 });
    // Even if the job ran again (a worker that died before recording it done), the row says it was sent.
    await db.updateTable("jobs").set({ done_at: null, attempts: 0 }).execute();
    expect(await runDueJobs(db)).toEqual({ done: 1, failed: 0, retried: 0 });
    await sleep(200);
    expect(smtp.messages).toHaveLength(1);
  });

  it("queues nothing when the write that called for the message is rolled back", async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await queueEmail(trx, acknowledgement("personne@example.fr"));
        throw new Error("enregistrement refusé");
      }),
    ).rejects.toThrow("enregistrement refusé");
    expect(await db.selectFrom("outbox").selectAll().execute()).toEqual([]);
    expect(await db.selectFrom("jobs").selectAll().execute()).toEqual([]);
    expect(await runDueJobs(db)).toEqual({ done: 0, failed: 0, retried: 0 });
  });

  it("marks the message failed with the server's reason when the recipient is refused (550), and sends it once retried", async () => {
    smtp.rejectRecipients = true;
    const id = await queueEmail(db, acknowledgement("refuse@example.fr"));
    const now = new Date();
    expect(await findOutboxEntry(db, ORG, id)).toMatchObject({ status: "queued", reason: null });
    // A 550 is the server's last word: retrying the same address cannot help, the message fails at once.
    expect(await runDueJobs(db, { now })).toEqual({ done: 0, failed: 1, retried: 0 });

    const entry = await findOutboxEntry(db, ORG, id);
    expect(entry).toMatchObject({ status: "failed", sentAt: null, errorCode: "recipient_refused", nextAttemptAt: null });
    expect(entry?.failedAt?.getTime()).toBe(now.getTime());
    expect(entry?.reason).toMatch(/^adresse refusée \(550 /);
    expect((await jobOf(db, id)).last_error).toContain("550");
    expect(smtp.messages).toEqual([]);
    // Nothing more happens on its own.
    expect(await runDueJobs(db, { now: new Date(now.getTime() + 60 * MINUTE) })).toEqual({ done: 0, failed: 0, retried: 0 });

    smtp.rejectRecipients = false;
    const retried = await retryMessage(db, AGENT, ORG, id);
    // Queued again, the last failure still said until the next try tells otherwise.
    expect(retried).toMatchObject({ status: "queued", failedAt: null });
    expect(retried.reason).toMatch(/^adresse refusée/);
    // A second press (another tab) finds it already queued: a clear refusal, no second job.
    await expect(retryMessage(db, AGENT, ORG, id)).rejects.toMatchObject({ code: "mail.not_failed" });
    expect(await runDueJobs(db)).toEqual({ done: 1, failed: 0, retried: 0 });
    await smtp.waitFor((m) => m.envelopeTo.includes("refuse@example.fr"));
    expect(await findOutboxEntry(db, ORG, id)).toMatchObject({ status: "sent", error: null, messageId: `<${id}@besancon.example>` });
    await expect(retryMessage(db, AGENT, ORG, id)).rejects.toMatchObject({ code: "mail.not_failed" });
    const audit = await db.selectFrom("audit_log").selectAll().where("entity", "=", "outbox").where("entity_id", "=", id).execute();
    expect(audit).toHaveLength(1);
    expect(smtp.messages).toHaveLength(1);
  });

  it("says plainly that SMTP is not configured: failed at once, and sent once retried with SMTP set", async () => {
    const configured = useMailTransport(createMailTransport({}));
    let id = "";
    try {
      id = await queueEmail(db, acknowledgement("attente@example.fr"));
      expect(await mailHealth(db)).toEqual({ configured: false, failed: 0, queued: 1 });
      expect(await runDueJobs(db)).toEqual({ done: 0, failed: 1, retried: 0 });
      expect(await findOutboxEntry(db, ORG, id)).toMatchObject({
        status: "failed",
        sentAt: null,
        errorCode: "not_configured",
        reason: "SMTP non configuré",
      });
      expect((await jobOf(db, id)).last_error).toContain("SMTP non configuré");
      expect(await mailHealth(db)).toEqual({ configured: false, failed: 1, queued: 0 });
    } finally {
      if (configured) useMailTransport(configured);
    }
    // The administrator sets SMTP_URL and retries every failed message.
    expect(await mailHealth(db)).toEqual({ configured: true, failed: 1, queued: 0 });
    expect(await retryAllFailed(db, { ...AGENT, instanceAdmin: true })).toBe(1);
    expect(await runDueJobs(db)).toEqual({ done: 1, failed: 0, retried: 0 });
    await smtp.waitFor((m) => m.envelopeTo.includes("attente@example.fr"));
    expect(await findOutboxEntry(db, ORG, id)).toMatchObject({ status: "sent", reason: null });
    expect(await mailHealth(db)).toEqual({ configured: true, failed: 0, queued: 0 });
  });

  it("keeps a message queued with its next try when the server is unreachable, and fails it after the last try", async () => {
    // A port nobody listens on: connection refused.
    const previous = useMailTransport(createMailTransport({ SMTP_URL: "smtp://127.0.0.1:9", MAIL_FROM: FROM }));
    try {
      const id = await queueEmail(db, acknowledgement("injoignable@example.fr"));
      await db.updateTable("jobs").set({ max_attempts: 2 }).where("dedupe_key", "=", `mail.send:${id}`).execute();
      const now = new Date();
      expect(await runDueJobs(db, { now })).toEqual({ done: 0, failed: 0, retried: 1 });
      const waiting = await findOutboxEntry(db, ORG, id);
      expect(waiting).toMatchObject({ status: "queued", errorCode: "unreachable" });
      expect(waiting?.nextAttemptAt?.getTime()).toBe(now.getTime() + 30_000);
      expect(waiting?.reason).toMatch(/^serveur injoignable/);
      const later = new Date(now.getTime() + MINUTE);
      expect(await runDueJobs(db, { now: later })).toEqual({ done: 0, failed: 1, retried: 0 });
      expect(await findOutboxEntry(db, ORG, id)).toMatchObject({ status: "failed", errorCode: "unreachable", nextAttemptAt: null });
    } finally {
      if (previous) useMailTransport(previous);
    }
  });

  it("logs in with the credentials of SMTP_URL", async () => {
    const previous = useMailTransport(createMailTransport({ SMTP_URL: smtp.url.replace("//", "//vigie:s3cret@"), MAIL_FROM: FROM }));
    try {
      await queueEmail(db, acknowledgement("auth@example.fr"));
      expect(await runDueJobs(db)).toEqual({ done: 1, failed: 0, retried: 0 });
      const received = await smtp.waitFor((m) => m.envelopeTo.includes("auth@example.fr"));
      expect(received.user).toBe("vigie");
    } finally {
      if (previous) useMailTransport(previous);
    }
  });

  it("refuses to queue a message to an address that is not one", async () => {
    await expect(queueEmail(db, acknowledgement("pas une adresse"))).rejects.toThrow("adresse électronique invalide");
    expect(await db.selectFrom("outbox").selectAll().execute()).toEqual([]);
  });
});
