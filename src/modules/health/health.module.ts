/** Sondes de vie et de disponibilité pour les superviseurs. */
import { defineModule } from "../../kernel/module.ts";
import { healthRoutes } from "./health.routes.ts";

export const module = defineModule({
  name: "health",
  routes: [healthRoutes],
});
