/** L'accueil téléphonique : journaux d'appels importés, taux de décroché. */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { callsApiRoutes } from "./calls.api.ts";
import { importStepJob, sweepUploadsJob } from "./calls.jobs.ts";
import { callsRoutes } from "./calls.routes.tsx";
import { callIndicatorBatch, callIndicators } from "./calls.service.ts";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "calls.stale": [
    409,
    "Ces réglages ont été modifiés par quelqu'un d'autre pendant votre saisie. Rechargez la page : rien n'a été écrasé.",
  ],
  "calls.import_state": [409, "Cet import n'en est plus à cette étape : rechargez la page pour voir où il en est."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "calls",
  errors,
  prefixes: ["calls"],
  routes: [callsRoutes, callsApiRoutes],
  jobs: [sweepUploadsJob, importStepJob],
  flash: {
    "calls.settings": "Les réglages de l'accueil téléphonique sont enregistrés.",
    "calls.imported": "Les appels valides sont enregistrés ; ceux déjà importés ont été ignorés.",
    "calls.discarded": "L'import a été abandonné : rien n'a été enregistré.",
  },
  contributions: [indicatorSourcePoint.with({ module: "calls", source: callIndicators, batch: callIndicatorBatch })],
});
