/** How the public reaches a service, and the three kinds of request. Shared vocabulary, pure. */
export const CHANNELS = ["counter", "phone", "letter", "email", "web"] as const;
export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_LABELS: Record<Channel, string> = {
  counter: "Accueil physique",
  phone: "Téléphone",
  letter: "Courrier",
  email: "Courriel",
  web: "Internet",
};

export const REQUEST_KINDS = ["request", "complaint", "suggestion"] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_KIND_LABELS: Record<RequestKind, string> = {
  request: "Demande",
  complaint: "Réclamation",
  suggestion: "Suggestion",
};

export const TARGET_METRICS = [
  "reply_delay",
  "call_pickup_rings",
  "satisfaction_survey",
  "self_assessment",
  "annual_review",
  "results_publication",
] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];

export const TARGET_UNITS = ["working_days", "calendar_days", "rings", "per_year"] as const;
export type TargetUnit = (typeof TARGET_UNITS)[number];

export interface Target {
  metric: TargetMetric;
  value: number;
  unit: TargetUnit;
  channels?: Channel[] | undefined;
  kinds?: RequestKind[] | undefined;
}

const UNIT_LABELS: Record<TargetUnit, [string, string]> = {
  working_days: ["jour ouvré", "jours ouvrés"],
  calendar_days: ["jour", "jours"],
  rings: ["sonnerie", "sonneries"],
  per_year: ["fois par an", "fois par an"],
};

/** A target as a person reads it: "Courrier : réponse sous 15 jours ouvrés". */
export function describeTarget(t: Target): string {
  const unit = UNIT_LABELS[t.unit][t.value > 1 ? 1 : 0];
  const channels = t.channels?.length ? `${t.channels.map((c) => CHANNEL_LABELS[c]).join(", ")} : ` : "";
  const kinds = t.kinds?.length ? ` (${t.kinds.map((k) => REQUEST_KIND_LABELS[k].toLowerCase()).join(", ")})` : "";
  switch (t.metric) {
    case "reply_delay":
      return `${channels}réponse sous ${t.value} ${unit}${kinds}`;
    case "call_pickup_rings":
      return `${channels}décroché en moins de ${t.value} ${unit}`;
    case "satisfaction_survey":
      return `Enquête de satisfaction ${t.value === 1 ? "annuelle" : `${t.value} ${unit}`}`;
    case "self_assessment":
      return `Auto-évaluation ${t.value === 1 ? "annuelle" : `${t.value} ${unit}`}`;
    case "annual_review":
      return "Bilan annuel";
    case "results_publication":
      return `Publication des résultats ${t.value === 1 ? "annuelle" : `${t.value} ${unit}`}`;
  }
}
