/** Horaires d'ouverture et informations publiques d'accès. */
import { defineModule } from "../../kernel/module.ts";
import { openingHoursRoutes } from "./opening-hours.routes.tsx";

export const module = defineModule({
  name: "opening-hours",
  prefixes: ["public_info"],
  routes: [openingHoursRoutes],
  flash: {
    "public_info.saved": "Les horaires et informations d'accès ont été enregistrés ; la page publique les montre dès maintenant.",
    "public_info.imported": "La fiche de l'Annuaire a été importée : vérifiez les horaires et les contacts repris.",
  },
});
