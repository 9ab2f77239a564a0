/** Le journal d'audit : écrit par les autres modules dans leurs transactions, lu ici. */
import { defineModule } from "../../kernel/module.ts";
import { auditRoutes } from "./audit.routes.tsx";

export const module = defineModule({
  name: "audit",
  routes: [auditRoutes],
});
