/** L'arbre des organisations : réseau, régions, sites. */
import { defineModule } from "../../kernel/module.ts";
import { organisationLogoRoutes } from "./logo.routes.tsx";
import { organisationsRoutes } from "./organisations.routes.tsx";

export const module = defineModule({
  name: "organisations",
  prefixes: ["org"],
  routes: [organisationsRoutes, organisationLogoRoutes],
  flash: {
    "org.created": "L'organisation a été créée.",
    "org.updated": "Les modifications ont été enregistrées.",
    "org.deleted": "L'organisation a été supprimée.",
    "org.logo_set": "Le logo a été enregistré.",
    "org.logo_removed": "Le logo a été retiré.",
  },
});
