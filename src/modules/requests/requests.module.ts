/** Demandes, réclamations et suggestions : enregistrement, échéances, réponses, lettres, imports, transmission. */

import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { plural } from "../../ui/format.ts";
import { deadlineRequestsPoint } from "../alerts/alerts.service.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { treeCountPoint } from "../organisations/organisations.service.ts";
import { escalationRoutes } from "./escalation.routes.tsx";
import { registerImportJob } from "./import/import.jobs.ts";
import { requestImportRoutes } from "./import/import.routes.tsx";
import { lettersRoutes } from "./letters.routes.tsx";
import { requestsApiRoutes } from "./requests.api.ts";
import { requestIndicatorBatch, requestIndicatorSource } from "./requests.indicators.ts";
import { digestAccountJob, digestJob, escalationJob, overdueEventsJob } from "./requests.jobs.ts";
import { requestsPublicRoutes } from "./requests.public.routes.tsx";
import { requestsRoutes } from "./requests.routes.tsx";
import { foldPendingRollups, openRequestsByNode } from "./requests.service.ts";
import { openRequestsDueBeforeSql } from "./requests.sql.ts";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "track.mismatch": [404, "Numéro ou code incorrect. Vérifiez-les sur votre accusé de réception."],
  "track.rate_limited": [429, "Trop d'essais depuis votre connexion. Réessayez dans une heure."],
  "request.not_found": [404, "Demande introuvable."],
  "request.import_not_found": [404, "Import introuvable."],
  "attachment.not_found": [404, "Pièce jointe introuvable."],
  "request.stale": [
    409,
    "Cette demande a été modifiée par quelqu'un d'autre pendant votre saisie. Rechargez la page : rien n'a été écrasé.",
  ],
  "letter.incomplete": [422, "La lettre ne peut pas être envoyée : il manque des valeurs."],
  "template.stale": [409, "Ce modèle a été modifié par quelqu'un d'autre pendant votre saisie. Rechargez la page."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "requests",
  errors,
  prefixes: ["attachment", "escalation", "letter", "request", "requests", "template", "track"],
  routes: [requestsRoutes, escalationRoutes, requestsPublicRoutes, requestsApiRoutes, requestImportRoutes, lettersRoutes],
  jobs: [digestJob, digestAccountJob, overdueEventsJob, escalationJob, registerImportJob],
  flash: {
    "escalation.saved": "Les règles de transmission des demandes en retard sont enregistrées.",
    "request.created": "La demande est enregistrée.",
    "request.updated": "Le statut a été enregistré.",
    "request.reassigned": "L'affectation a été enregistrée.",
    "request.holding": "La réponse d'attente est enregistrée.",
    "requests.import_discarded": "L'import est abandonné : aucune demande de ce fichier n'a été enregistrée.",
    "letter.sent": "La lettre est mise en file d'envoi : son état (en file, envoyé, échec) est indiqué ci-dessous.",
    "template.saved": "Le modèle de lettre a été enregistré.",
  },
  contributions: [
    indicatorSourcePoint.with({
      module: "requests",
      source: requestIndicatorSource,
      batch: requestIndicatorBatch,
      settle: foldPendingRollups,
    }),
    treeCountPoint.with({ read: openRequestsByNode, label: (n) => plural(n, "demande ouverte", "demandes ouvertes") }),
    deadlineRequestsPoint.with({ openDueBefore: openRequestsDueBeforeSql }),
  ],
});
