/** Les délais de réponse annoncés au public, par canal et nature de demande. */
import { defineModule } from "../../kernel/module.ts";
import { announcedDelaysRoutes } from "./announced-delays.routes.tsx";

export const module = defineModule({
  name: "announced-delays",
  prefixes: ["delays"],
  routes: [announcedDelaysRoutes],
  flash: {
    "delays.saved": "Les délais annoncés ont été enregistrés : ils valent pour les demandes reçues à partir de maintenant.",
  },
});
