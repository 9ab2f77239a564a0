/** Demandes, réclamations et suggestions : enregistrement, échéances, réponses, lettres, imports, transmission. */

import { defineModule } from "../../kernel/module.ts";
import { plural } from "../../ui/format.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { treeCountPoint } from "../organisations/organisations.service.ts";
import { escalationRoutes } from "./escalation.routes.tsx";
import { requestImportRoutes } from "./import/import.routes.tsx";
import { lettersRoutes } from "./letters.routes.tsx";
import { requestsApiRoutes } from "./requests.api.ts";
import { requestIndicatorBatch, requestIndicatorSource } from "./requests.indicators.ts";
import { digestAccountJob, digestJob, escalationJob, overdueEventsJob } from "./requests.jobs.ts";
import { requestsPublicRoutes } from "./requests.public.routes.tsx";
import { requestsRoutes } from "./requests.routes.tsx";
import { openRequestsByNode } from "./requests.service.ts";

export const module = defineModule({
  name: "requests",
  prefixes: ["escalation", "letter", "request", "requests", "template"],
  routes: [requestsRoutes, escalationRoutes, requestsPublicRoutes, requestsApiRoutes, requestImportRoutes, lettersRoutes],
  jobs: [digestJob, digestAccountJob, overdueEventsJob, escalationJob],
  flash: {
    "escalation.saved": "Les règles de transmission des demandes en retard sont enregistrées.",
    "request.created": "La demande est enregistrée.",
    "request.updated": "Le statut a été enregistré.",
    "request.reassigned": "L'affectation a été enregistrée.",
    "request.holding": "La réponse d'attente est enregistrée.",
    "requests.imported": "Le registre a été importé : les demandes sont enregistrées, les lignes déjà importées ont été ignorées.",
    "letter.sent": "La lettre est mise en file d'envoi : son état (en file, envoyé, échec) est indiqué ci-dessous.",
    "template.saved": "Le modèle de lettre a été enregistré.",
  },
  contributions: [
    indicatorSourcePoint.with({ module: "requests", source: requestIndicatorSource, batch: requestIndicatorBatch }),
    treeCountPoint.with({ read: openRequestsByNode, label: (n) => plural(n, "demande ouverte", "demandes ouvertes") }),
  ],
});
