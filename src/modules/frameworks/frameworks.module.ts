/** Les référentiels (Marianne, Services Publics+), leurs engagements, et ceux qu'une organisation adopte. */
import { defineModule } from "../../kernel/module.ts";
import { frameworksRoutes } from "./frameworks.routes.tsx";

export const module = defineModule({
  name: "frameworks",
  prefixes: ["framework", "local"],
  routes: [frameworksRoutes],
  flash: {
    "framework.adopted": "Le référentiel de l'organisation a été enregistré.",
    "local.created": "L'engagement local a été ajouté.",
    "local.deleted": "L'engagement local a été supprimé.",
  },
});
