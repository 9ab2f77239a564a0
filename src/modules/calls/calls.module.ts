/** L'accueil téléphonique : journaux d'appels importés, taux de décroché. */
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { callsApiRoutes } from "./calls.api.ts";
import { sweepUploadsJob } from "./calls.jobs.ts";
import { callsRoutes } from "./calls.routes.tsx";
import { callIndicatorBatch, callIndicators } from "./calls.service.ts";

export const module = defineModule({
  name: "calls",
  prefixes: ["calls"],
  routes: [callsRoutes, callsApiRoutes],
  jobs: [sweepUploadsJob],
  flash: {
    "calls.settings": "Les réglages de l'accueil téléphonique sont enregistrés.",
    "calls.imported": "Les appels valides sont enregistrés ; ceux déjà importés ont été ignorés.",
    "calls.discarded": "L'import a été abandonné : rien n'a été enregistré.",
  },
  contributions: [indicatorSourcePoint.with({ module: "calls", source: callIndicators, batch: callIndicatorBatch })],
});
