/** La page d'accueil selon la personne connectée. */
import { defineModule } from "../../kernel/module.ts";
import { homeRoutes } from "./home.routes.tsx";

export const module = defineModule({
  name: "home",
  routes: [homeRoutes],
});
