/** Tableaux de bord et comparaisons, sur tout l'arbre. */
import { defineModule } from "../../kernel/module.ts";
import { dashboardsRoutes } from "./dashboards.routes.tsx";

export const module = defineModule({
  name: "dashboards",
  routes: [dashboardsRoutes],
});
