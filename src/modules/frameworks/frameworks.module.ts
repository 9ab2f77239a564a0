/** Les référentiels (Marianne, Services Publics+), leurs engagements, et ceux qu'une organisation adopte. */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { frameworksRoutes } from "./frameworks.routes.tsx";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "framework.not_found": [404, "Référentiel introuvable."],
  "commitment.not_found": [404, "Engagement introuvable."],
  "local_commitment.not_found": [404, "Engagement local introuvable."],
  "local_commitment.stale": [409, "Cet engagement local a été modifié par quelqu'un d'autre pendant votre saisie. Rechargez la page."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "frameworks",
  errors,
  prefixes: ["commitment", "framework", "local", "local_commitment"],
  routes: [frameworksRoutes],
  flash: {
    "framework.adopted": "Le référentiel de l'organisation a été enregistré.",
    "local.created": "L'engagement local a été ajouté.",
    "local.deleted": "L'engagement local a été supprimé.",
  },
});
