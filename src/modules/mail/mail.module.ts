/** Courriels sortants : file d'envoi, états, nouvel essai. */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { sendMailJob } from "./mail.jobs.ts";
import { mailRoutes } from "./mail.routes.tsx";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "mail.not_found": [404, "Courriel introuvable."],
  "mail.not_failed": [409, "Ce courriel n'est pas en échec (déjà envoyé, en file ou déjà renvoyé) : rechargez la page."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "mail",
  errors,
  prefixes: ["mail"],
  routes: [mailRoutes],
  jobs: [sendMailJob],
  flash: {
    "mail.retried": "Le courriel est remis en file d'envoi : son état se met à jour au prochain essai.",
    "mail.retried_all": "Les courriels en échec sont remis en file d'envoi.",
  },
});
