import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Kysely } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { engineName, openTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import { type SmtpListener, startSmtpListener } from "../../../test/support/smtp.ts";
import type { DB } from "../../db/schema.ts";
import { runDueJobs } from "../jobs/jobs.service.ts";
import { createMailTransport, findOutboxEntry, queueEmail, SMTP_NOT_CONFIGURED, useMailTransport } from "./mail.service.ts";

const ORG = randomUUID();
const FROM = "Mairie de Besançon <accueil@besancon.example>";
const MINUTE = 60_000;

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
    smtp.messages.length = 0;
    smtp.rejectRecipients = false;
  });

  it("sends a queued message once, as it left, accents and all", async () => {
    const id = await db.transaction().execute((trx) => queueEmail(trx, acknowledgement("rene.leveque@example.fr")));
    expect(await findOutboxEntry(db, ORG, id)).toMatchObject({ sentAt: null, error: null, kind: "acknowledgement" });

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

  it("keeps the message unsent with the server's reason when the recipient is refused, and sends it on a later try", async () => {
    smtp.rejectRecipients = true;
    const id = await queueEmail(db, acknowledgement("refuse@example.fr"));
    const now = new Date();
    expect(await runDueJobs(db, { now })).toEqual({ done: 0, failed: 0, retried: 1 });

    const entry = await findOutboxEntry(db, ORG, id);
    expect(entry?.sentAt).toBeNull();
    expect(entry?.error).toContain("550");
    const job = await jobOf(db, id);
    expect(job).toMatchObject({ attempts: 1, done_at: null, locked_until: null });
    expect(job.last_error).toContain("550");
    expect(job.run_at.getTime()).toBe(now.getTime() + 30_000);
    expect(smtp.messages).toEqual([]);

    smtp.rejectRecipients = false;
    expect(await runDueJobs(db, { now: new Date(now.getTime() + MINUTE) })).toEqual({ done: 1, failed: 0, retried: 0 });
    await smtp.waitFor((m) => m.envelopeTo.includes("refuse@example.fr"));
    expect(await findOutboxEntry(db, ORG, id)).toMatchObject({ error: null, messageId: `<${id}@besancon.example>` });
  });

  it("says plainly that SMTP is not configured, and keeps the message for later", async () => {
    const configured = useMailTransport(createMailTransport({}));
    try {
      const id = await queueEmail(db, acknowledgement("attente@example.fr"));
      expect(await runDueJobs(db)).toEqual({ done: 0, failed: 0, retried: 1 });
      expect(await findOutboxEntry(db, ORG, id)).toMatchObject({ sentAt: null, error: SMTP_NOT_CONFIGURED });
      expect((await jobOf(db, id)).last_error).toBe(SMTP_NOT_CONFIGURED);
    } finally {
      if (configured) useMailTransport(configured);
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
