/** Enquêtes de satisfaction, du questionnaire public aux résultats. */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { surveysApiRoutes } from "./surveys.api.ts";
import { surveysPublicRoutes } from "./surveys.public.routes.tsx";
import { foldPendingCounts } from "./surveys.repository.ts";
import { surveysRoutes } from "./surveys.routes.tsx";
import { surveyIndicatorBatch, surveyIndicatorSource } from "./surveys.service.ts";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "survey.stale": [409, "Cette enquête a été modifiée par quelqu'un d'autre pendant votre saisie. Rechargez la page."],
  "survey_comment.stale": [409, "Ce commentaire a été modéré par quelqu'un d'autre pendant votre saisie. Rechargez la page."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "surveys",
  errors,
  prefixes: ["comment", "survey", "survey_comment"],
  routes: [surveysRoutes, surveysPublicRoutes, surveysApiRoutes],
  flash: {
    "survey.created": "L'enquête est créée : diffusez le lien public du questionnaire pour recueillir les réponses.",
    "survey.settings": "Les réglages de l'enquête ont été enregistrés.",
    "survey.draft": "Le brouillon est enregistré : le questionnaire public ne change qu'à la publication.",
    "survey.published": "Le questionnaire est publié.",
    "survey.new_version": "Le questionnaire est publié dans une nouvelle version : les réponses déjà reçues gardent la leur.",
    "comment.reviewed": "La modération du commentaire est enregistrée.",
  },
  contributions: [
    indicatorSourcePoint.with({ module: "surveys", source: surveyIndicatorSource, batch: surveyIndicatorBatch, settle: foldPendingCounts }),
  ],
});
