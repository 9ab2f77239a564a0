/**
 * Retention periods: what each kind of record is, how long its people are kept by default, and the
 * public-archives rule the default comes from (docs/privacy.md gives the sources). Pure.
 */
export const RETENTION_KINDS = ["requests", "complaints", "suggestions", "survey_comments", "call_logs", "audit"] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

export interface RetentionRule {
  label: string;
  /** Default, in months, counted from the end of the case (closing or answer). */
  months: number;
  /** Whether the daily job removes the people of this kind today; the others are declared in the record. */
  applied: boolean;
  /** Bounds an organisation may set, in months, when a rule sets them (else 1 to 1,200). */
  min?: number;
  max?: number;
}

export const RETENTION_RULES: Record<RetentionKind, RetentionRule> = {
  requests: { label: "Demandes", months: 60, applied: true },
  complaints: { label: "Réclamations", months: 60, applied: true },
  suggestions: { label: "Suggestions", months: 24, applied: true },
  survey_comments: { label: "Commentaires des enquêtes", months: 24, applied: true },
  call_logs: { label: "Journaux d'appels", months: 12, applied: false },
  // The CNIL's recommendation on logging (délibération n° 2021-122 of 14 October 2021, JO of 30 October):
  // six months to one year as a rule, up to three years where internal control needs it (docs/privacy.md).
  audit: { label: "Journal d'audit", months: 12, applied: true, min: 6, max: 36 },
};

/** The request kind each retention kind covers (the others hold no request). */
export const REQUEST_KIND_OF: Partial<Record<RetentionKind, "request" | "complaint" | "suggestion">> = {
  requests: "request",
  complaints: "complaint",
  suggestions: "suggestion",
};

/** Undecided call imports are dropped after this many days. */
export const UNDECIDED_IMPORT_DAYS = 30;

/** The first day still kept: a case ended before it has passed its period. `today` is YYYY-MM-DD. */
export function keptFrom(today: string, months: number): string {
  const [y, m, d] = today.split("-").map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) - months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  // 31 March minus one month is the last day of February, not 3 March.
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(Math.min(d, last)).padStart(2, "0")}`;
}

export function monthsLabel(months: number): string {
  if (months % 12 === 0) return months === 12 ? "1 an" : `${months / 12} ans`;
  return `${months} mois`;
}
