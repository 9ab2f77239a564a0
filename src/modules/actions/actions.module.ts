/** Le plan d'actions : actions, leviers choisis, suivi, import et export du classeur. */

import { digestSectionPoint } from "../../kernel/digest.ts";
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { actionsDigestSection } from "./actions.jobs.ts";
import { actionsRoutes } from "./actions.routes.tsx";
import { actionIndicatorBatch, actionIndicatorSource } from "./actions.service.ts";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "action.not_found": [404, "Action introuvable."],
  "action.stale": [
    409,
    "Cette action a été modifiée par quelqu'un d'autre pendant votre saisie : rien n'a été enregistré. Rechargez la page.",
  ],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "actions",
  errors,
  prefixes: ["action", "actions"],
  routes: [actionsRoutes],
  flash: {
    "action.created": "L'action est ajoutée au plan.",
    "action.updated": "L'action est enregistrée.",
    "actions.bulk": "Le statut des actions cochées est enregistré.",
    "actions.levers": "Les leviers choisis sont ajoutés au plan, à lancer.",
  },
  contributions: [
    indicatorSourcePoint.with({ module: "actions", source: actionIndicatorSource, batch: actionIndicatorBatch }),
    digestSectionPoint.with(actionsDigestSection),
  ],
});
