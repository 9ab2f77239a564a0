/** Horaires d'ouverture et informations publiques d'accès. */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { openingHoursRoutes } from "./opening-hours.routes.tsx";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "public_info.stale": [
    409,
    "Ces informations ont été modifiées par quelqu'un d'autre pendant votre saisie. Rechargez la page : rien n'a été écrasé.",
  ],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "opening-hours",
  errors,
  prefixes: ["public_info"],
  routes: [openingHoursRoutes],
  flash: {
    "public_info.saved": "Les horaires et informations d'accès ont été enregistrés ; la page publique les montre dès maintenant.",
    "public_info.imported": "La fiche de l'Annuaire a été importée : vérifiez les horaires et les contacts repris.",
  },
});
