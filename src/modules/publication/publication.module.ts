/** Résultats publiés : pages publiques, affiche, données ouvertes. */
import { defineModule } from "../../kernel/module.ts";
import { chunkJob, publishJob } from "./publication.jobs.ts";
import { publicationRoutes } from "./publication.routes.tsx";

export const module = defineModule({
  name: "publication",
  prefixes: ["publication"],
  routes: [publicationRoutes],
  jobs: [publishJob, chunkJob],
  flash: {
    "publication.refreshed": "Les résultats publiés ont été recalculés.",
    "publication.queued": "La publication est lancée : elle se poursuit en arrière-plan, lot par lot.",
  },
});
