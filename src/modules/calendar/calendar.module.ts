/** Jours ouvrés : jours fériés, fermetures, et si une organisation est ouverte. */
import { defineModule } from "../../kernel/module.ts";
import { calendarRoutes } from "./calendar.routes.tsx";

export const module = defineModule({
  name: "calendar",
  prefixes: ["closure"],
  routes: [calendarRoutes],
  flash: {
    "closure.added": "Le jour de fermeture a été ajouté : les échéances des nouvelles demandes en tiennent compte.",
    "closure.removed": "Le jour de fermeture a été retiré.",
  },
});
