/** Alertes d'échéance et notifications, et leur part du récapitulatif quotidien. */

import { digestSectionPoint } from "../../kernel/digest.ts";
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { alertsDigestSection, deadlineAlertsJob } from "./alerts.jobs.ts";
import { alertsRoutes } from "./alerts.routes.tsx";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "notification.not_found": [404, "Notification introuvable (ou déjà lue)."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "alerts",
  errors,
  prefixes: ["alerts", "notification", "notifications"],
  routes: [alertsRoutes],
  jobs: [deadlineAlertsJob],
  flash: {
    "notification.read": "La notification est marquée comme lue.",
    "notifications.read": "Toutes vos notifications sont marquées comme lues.",
    "alerts.preferences": "Vos choix d'alertes ont été enregistrés.",
    "alerts.saved": "Les alertes de l'organisation ont été enregistrées.",
  },
  contributions: [digestSectionPoint.with(alertsDigestSection)],
});
