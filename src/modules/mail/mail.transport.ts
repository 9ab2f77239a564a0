import { createTransport } from "nodemailer";
import { MailNotConfiguredError } from "./mail-errors.ts";

export const DEFAULT_MAIL_FROM = "Vigie <no-reply@localhost>";
export const SMTP_NOT_CONFIGURED = "SMTP non configuré : aucun serveur d'envoi (SMTP_URL)";

/** The settings read from the environment. */
export interface MailEnv {
  /** smtp://user:pass@host:587 (STARTTLS when offered), smtps://…:465 (TLS), `?pool=true` to reuse connections. */
  SMTP_URL?: string | undefined;
  /** The From of every message, e.g. "Mairie de Besançon <accueil@besancon.fr>". */
  MAIL_FROM?: string | undefined;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

export interface MailTransport {
  readonly from: string;
  /** False when no SMTP_URL is set: every send then fails with « SMTP non configuré ». */
  readonly configured: boolean;
  /** Resolves once the SMTP server accepted the message; rejects with the reason otherwise. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

// Short enough that a hung server cannot keep a send running past the job's lock (5 minutes), after
// which another worker could send the same message again.
const TIMEOUTS = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

export function createMailTransport(env: MailEnv = process.env): MailTransport {
  const from = env.MAIL_FROM?.trim() || DEFAULT_MAIL_FROM;
  const url = env.SMTP_URL?.trim();
  if (!url) {
    // Not a start-up error: an instance without e-mail still works, and what it could not send stays
    // in the outbox with this reason until SMTP is configured.
    return {
      from,
      configured: false,
      send: () => Promise.reject(new MailNotConfiguredError(SMTP_NOT_CONFIGURED)),
      close() {},
    };
  }
  const transporter = createTransport({ url, ...TIMEOUTS });
  return {
    from,
    configured: true,
    async send(mail) {
      await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, messageId: mail.messageId });
    },
    close() {
      transporter.close();
    },
  };
}
