/**
 * Why an e-mail did not leave, in words a town hall reads, and whether trying again can help. Pure.
 * nodemailer reports a failure with a `code` (ECONNECTION, EENVELOPE, EAUTH…), and, when the server
 * answered, its `responseCode` (550, 451…) and `response` text.
 */
export const MAIL_ERROR_CODES = ["not_configured", "recipient_refused", "rejected", "unreachable", "auth", "temporary", "unknown"] as const;
export type MailErrorCode = (typeof MAIL_ERROR_CODES)[number];

export const MAIL_ERROR_LABELS: Record<MailErrorCode, string> = {
  not_configured: "SMTP non configuré",
  recipient_refused: "adresse refusée",
  rejected: "message refusé par le serveur d'envoi",
  unreachable: "serveur injoignable",
  auth: "identifiants du serveur d'envoi refusés",
  temporary: "refus temporaire du serveur d'envoi",
  unknown: "erreur d'envoi",
};

/** Thrown by the transport when no SMTP_URL is set: nothing can leave until an administrator sets one. */
export class MailNotConfiguredError extends Error {
  override readonly name = "MailNotConfiguredError";
  readonly code = "ENOTCONFIGURED";
}

export interface MailFailure {
  code: MailErrorCode;
  /** Trying again later cannot help: the message is marked failed at once, until someone retries it. */
  permanent: boolean;
  /** The server's own words (or the system's), for whoever investigates. */
  detail: string;
}

const NETWORK_CODES = new Set([
  "ECONNECTION",
  "ETIMEDOUT",
  "ESOCKET",
  "EDNS",
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ETLS",
  "EPIPE",
]);

function field(error: unknown, name: string): unknown {
  return typeof error === "object" && error !== null && name in error ? (error as Record<string, unknown>)[name] : undefined;
}

export function classifyMailError(error: unknown): MailFailure {
  const message = error instanceof Error ? error.message : String(error);
  const code = field(error, "code");
  const responseCode = field(error, "responseCode");
  const response = field(error, "response");
  const command = field(error, "command");
  const detail = (typeof response === "string" && response) || message;
  if (error instanceof MailNotConfiguredError) return { code: "not_configured", permanent: true, detail: message };
  if (code === "EAUTH") return { code: "auth", permanent: true, detail };
  if (typeof responseCode === "number") {
    // 4xx: the server asks to come back later (greylisting, full mailbox); 5xx: it will not take it.
    if (responseCode >= 400 && responseCode < 500) return { code: "temporary", permanent: false, detail };
    if (responseCode >= 500) {
      const aboutRecipient = code === "EENVELOPE" || (typeof command === "string" && command.toUpperCase().startsWith("RCPT"));
      return { code: aboutRecipient ? "recipient_refused" : "rejected", permanent: true, detail };
    }
  }
  if (typeof code === "string" && NETWORK_CODES.has(code)) return { code: "unreachable", permanent: false, detail };
  return { code: "unknown", permanent: false, detail };
}

/** « échec : adresse refusée (550 Destinataire refusé) » — the reason as a page shows it. */
export function describeFailure(code: string | null, detail: string | null): string {
  const label = code && code in MAIL_ERROR_LABELS ? MAIL_ERROR_LABELS[code as MailErrorCode] : MAIL_ERROR_LABELS.unknown;
  // The not-configured detail only repeats the label.
  return detail && code !== "not_configured" ? `${label} (${detail})` : label;
}
