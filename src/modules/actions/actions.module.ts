/** Le plan d'actions : actions, leviers choisis, suivi, import et export du classeur. */

import { digestSectionPoint } from "../../kernel/digest.ts";
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { actionsDigestSection } from "./actions.jobs.ts";
import { actionsRoutes } from "./actions.routes.tsx";
import { actionIndicatorBatch, actionIndicatorSource } from "./actions.service.ts";

export const module = defineModule({
  name: "actions",
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
