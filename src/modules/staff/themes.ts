/** The training themes of Services Publics+ commitment 8 (seed 004), and the shares trained. Pure. */
export const TRAINING_THEMES = [
  "disability",
  "posture",
  "other_administrations",
  "life_events",
  "digital",
  "regulation",
  "bienveillance",
] as const;
export type TrainingTheme = (typeof TRAINING_THEMES)[number];

export const TRAINING_THEME_LABELS: Record<TrainingTheme, string> = {
  disability: "Usagers en situation de handicap ou en difficulté",
  posture: "Posture de relation à l'usager (courtoisie, écoute, bienveillance)",
  other_administrations: "Connaissance des autres administrations (orientation)",
  life_events: "Démarches liées aux événements de vie",
  digital: "Accompagnement au numérique",
  regulation: "Réglementation et processus métiers",
  bienveillance: "Principes de bienveillance de la loi du 10 août 2018 (société de confiance)",
};

/** The commitments staff training answers to, in each framework. */
export const TRAINING_COMMITMENTS = ["sp+2023/7", "sp+2021/8", "marianne-2016/11", "marianne-2008/15"];
/** The commitments incident reports answer to (staff take part in improvement). */
export const INCIDENT_COMMITMENTS = ["sp+2023/7", "sp+2021/8", "marianne-2016/12", "marianne-2008/18"];

export function isTrainingTheme(value: unknown): value is TrainingTheme {
  return typeof value === "string" && (TRAINING_THEMES as readonly string[]).includes(value);
}

/** Per theme, the share of the staff trained at least once; null when there is nobody. */
export function trainedShares(
  staff: number,
  trainedPerTheme: Partial<Record<TrainingTheme, number>>,
): Record<TrainingTheme, number | null> {
  const out = {} as Record<TrainingTheme, number | null>;
  for (const t of TRAINING_THEMES) out[t] = staff ? Math.min(1, (trainedPerTheme[t] ?? 0) / staff) : null;
  return out;
}
