/** Préparation de l'audit de labellisation Services Publics+. */
import { defineModule } from "../../kernel/module.ts";
import { labelRoutes } from "./label.routes.tsx";

export const module = defineModule({
  name: "label",
  routes: [labelRoutes],
});
