/** Courriels sortants : file d'envoi, états, nouvel essai. */
import { defineModule } from "../../kernel/module.ts";
import { sendMailJob } from "./mail.jobs.ts";
import { mailRoutes } from "./mail.routes.tsx";

export const module = defineModule({
  name: "mail",
  prefixes: ["mail"],
  routes: [mailRoutes],
  jobs: [sendMailJob],
  flash: {
    "mail.retried": "Le courriel est remis en file d'envoi : son état se met à jour au prochain essai.",
    "mail.retried_all": "Les courriels en échec sont remis en file d'envoi.",
  },
});
