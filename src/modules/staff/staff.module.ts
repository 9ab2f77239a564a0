/** Le personnel, ses formations, et les signalements d'incidents d'accueil. */
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { staffRoutes } from "./staff.routes.tsx";
import { staffIndicatorBatch, staffIndicatorSource } from "./staff.service.ts";

export const module = defineModule({
  name: "staff",
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
