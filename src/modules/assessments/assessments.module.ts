/** L'auto-évaluation annuelle par engagement, signée, avec pièces justificatives. */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { assessmentsRoutes } from "./assessments.routes.tsx";
import { assessmentIndicatorBatch, assessmentIndicatorSource } from "./assessments.service.ts";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "assessment.not_found": [404, "Auto-évaluation introuvable."],
  "assessment.locked": [409, "Cette auto-évaluation est signée : elle ne peut plus être modifiée. Elle reste consultable et exportable."],
  "assessment.stale": [
    409,
    "Cette auto-évaluation a été modifiée par quelqu'un d'autre pendant votre saisie : rien n'a été enregistré. Rechargez la page pour voir la dernière version.",
  ],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "assessments",
  errors,
  prefixes: ["assessment"],
  routes: [assessmentsRoutes],
  flash: {
    "assessment.created": "La campagne d'auto-évaluation est ouverte : renseignez chaque engagement.",
    "assessment.saved": "Les réponses sont enregistrées.",
    "assessment.signed": "La campagne est signée et verrouillée.",
    "assessment.evidence_added": "La pièce justificative est jointe.",
    "assessment.evidence_removed": "La pièce justificative est retirée.",
  },
  contributions: [indicatorSourcePoint.with({ module: "assessments", source: assessmentIndicatorSource, batch: assessmentIndicatorBatch })],
});
