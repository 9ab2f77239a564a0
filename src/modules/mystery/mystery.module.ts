/** Campagnes d'usagers mystère. */
import { defineModule } from "../../kernel/module.ts";
import { indicatorSourcePoint } from "../indicators/sources.ts";
import { mysteryApiRoutes } from "./mystery.api.ts";
import { mysteryRoutes } from "./mystery.routes.tsx";
import { mysteryIndicatorBatch, mysteryIndicators } from "./mystery.service.ts";

export const module = defineModule({
  name: "mystery",
  prefixes: ["mystery"],
  routes: [mysteryRoutes, mysteryApiRoutes],
  flash: {
    "mystery.created": "La campagne est créée : les testeurs peuvent saisir leurs résultats.",
    "mystery.test": "Le test est enregistré.",
  },
  contributions: [indicatorSourcePoint.with({ module: "mystery", source: mysteryIndicators, batch: mysteryIndicatorBatch })],
});
