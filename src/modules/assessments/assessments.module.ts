/** L'auto-évaluation annuelle par engagement, signée, avec pièces justificatives. */
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { assessmentsRoutes } from "./assessments.routes.tsx";
import { assessmentIndicatorBatch, assessmentIndicatorSource } from "./assessments.service.ts";

export const module = defineModule({
  name: "assessments",
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
