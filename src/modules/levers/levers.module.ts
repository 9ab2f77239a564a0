/** La banque de leviers d'amélioration. */
import { defineModule } from "../../kernel/module.ts";
import { leversRoutes } from "./levers.routes.tsx";

export const module = defineModule({
  name: "levers",
  routes: [leversRoutes],
});
