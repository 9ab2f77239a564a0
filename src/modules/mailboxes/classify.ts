/**
 * What a collected message is, from its headers alone: a person writing (registered, or joined to
 * their request), or something no one has to answer — an automatic reply, a bounce, a mailing list.
 * Registering those would open requests with a deadline nobody owes, and answering an auto-reply
 * with an acknowledgement starts a mail loop.
 */
export type IgnoredReason = "auto-reply" | "bounce" | "list";

export const IGNORED_LABELS: Record<IgnoredReason, string> = {
  "auto-reply": "réponse automatique",
  bounce: "avis de non-remise",
  list: "liste de diffusion",
};

export interface MessageHeaders {
  /** Lower-case header names, raw values. */
  get(name: string): string | undefined;
  from: string | undefined;
  subject: string;
  contentType: string | undefined;
}

const AUTO_SUBJECT =
  /^(?:(?:re|tr|fwd?)\s*:\s*)*(?:réponse automatique|reponse automatique|auto(?:matic)?[- ]?reply|absence|absent|out of (?:the )?office|autoreply|message d'absence)\b/i;
const BOUNCE_SENDER = /^(?:mailer-daemon|postmaster)@/i;
const BOUNCE_SUBJECT = /^(?:undeliver(?:ed|able)|delivery status notification|mail delivery failed|non remis|échec de (?:la )?remise)/i;

export function classify(h: MessageHeaders): IgnoredReason | null {
  const contentType = (h.contentType ?? "").toLowerCase();
  if (contentType.startsWith("multipart/report") && /report-type\s*=\s*"?delivery-status/.test(contentType)) return "bounce";
  if (h.from && BOUNCE_SENDER.test(h.from.trim())) return "bounce";
  if (BOUNCE_SUBJECT.test(h.subject.trim()) && !h.from) return "bounce";
  const autoSubmitted = h.get("auto-submitted")?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== "no") return "auto-reply";
  if (h.get("x-autoreply") !== undefined || h.get("x-autorespond") !== undefined || h.get("x-autoresponse") !== undefined) {
    return "auto-reply";
  }
  const precedence = h.get("precedence")?.trim().toLowerCase();
  if (precedence === "auto_reply") return "auto-reply";
  if (AUTO_SUBJECT.test(h.subject.trim())) return "auto-reply";
  if (precedence === "bulk" || precedence === "junk" || precedence === "list") return "list";
  if (h.get("list-id") !== undefined || h.get("list-unsubscribe") !== undefined) return "list";
  return null;
}

/** A receipt number written in a subject (« Re: … n° 2026-000042 »). */
export function receiptNumberIn(subject: string): string | undefined {
  return /\b(\d{4}-\d{6})\b/.exec(subject)?.[1];
}
