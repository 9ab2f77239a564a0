/** Durées de conservation, anonymisation, droits des personnes. */
import { defineModule } from "../../kernel/module.ts";
import { retentionJob } from "./privacy.jobs.ts";
import { privacyRoutes } from "./privacy.routes.tsx";

export const module = defineModule({
  name: "privacy",
  prefixes: ["privacy"],
  routes: [privacyRoutes],
  jobs: [retentionJob],
  flash: {
    "privacy.saved": "Les durées de conservation et les contacts sont enregistrés ; l'anonymisation suit chaque nuit.",
    "privacy.erased": "Les données de la personne ont été effacées : ses demandes sont anonymisées, leurs chiffres restent.",
  },
});
