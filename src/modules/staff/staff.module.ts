/** Le personnel, ses formations, et les signalements d'incidents d'accueil. */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { staffRoutes } from "./staff.routes.tsx";
import { staffIndicatorBatch, staffIndicatorSource } from "./staff.service.ts";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "staff.not_found": [404, "Agent introuvable."],
  "staff.stale": [409, "Cette fiche a été modifiée entre-temps : rechargez la page."],
  "incident.not_found": [404, "Signalement introuvable."],
  "incident.stale": [409, "Ce signalement a déjà été traité par quelqu'un d'autre : rechargez la page."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "staff",
  errors,
  prefixes: ["incident", "staff"],
  routes: [staffRoutes],
  flash: {
    "staff.added": "L'agent est ajouté.",
    "staff.training": "La formation est enregistrée.",
    "staff.updated": "La fiche de l'agent est mise à jour.",
    "incident.filed": "Merci : le signalement est transmis au référent qualité.",
    "incident.action": "Le signalement est traduit en action du plan : complétez-la.",
    "incident.dismissed": "Le signalement est classé.",
  },
  contributions: [indicatorSourcePoint.with({ module: "staff", source: staffIndicatorSource, batch: staffIndicatorBatch })],
});
