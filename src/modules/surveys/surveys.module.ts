/** Enquêtes de satisfaction, du questionnaire public aux résultats. */
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { surveysApiRoutes } from "./surveys.api.ts";
import { surveysPublicRoutes } from "./surveys.public.routes.tsx";
import { surveysRoutes } from "./surveys.routes.tsx";
import { surveyIndicatorBatch, surveyIndicatorSource } from "./surveys.service.ts";

export const module = defineModule({
  name: "surveys",
  prefixes: ["comment", "survey"],
  routes: [surveysRoutes, surveysPublicRoutes, surveysApiRoutes],
  flash: {
    "survey.created": "L'enquête est créée : diffusez le lien public du questionnaire pour recueillir les réponses.",
    "survey.settings": "Les réglages de l'enquête ont été enregistrés.",
    "survey.draft": "Le brouillon est enregistré : le questionnaire public ne change qu'à la publication.",
    "survey.published": "Le questionnaire est publié.",
    "survey.new_version": "Le questionnaire est publié dans une nouvelle version : les réponses déjà reçues gardent la leur.",
    "comment.reviewed": "La modération du commentaire est enregistrée.",
  },
  contributions: [indicatorSourcePoint.with({ module: "surveys", source: surveyIndicatorSource, batch: surveyIndicatorBatch })],
});
