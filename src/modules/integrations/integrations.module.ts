/** Jetons d'API, comptes de service, points de réception (webhooks). */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { serviceAccountsRoutes } from "./service-accounts.routes.tsx";
import { tokensRoutes } from "./tokens.routes.tsx";
import { deliverWebhookJob } from "./webhooks.jobs.ts";
import { webhooksRoutes } from "./webhooks.routes.tsx";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "token.invalid": [401, "Jeton d'API inconnu, expiré ou révoqué. Créez-en un nouveau depuis « Mon compte », rubrique « Jetons d'API »."],
  "token.not_found": [404, "Jeton d'API introuvable (ou déjà révoqué)."],
  "token.service_not_found": [404, "Compte de service introuvable."],
  "webhook.not_found": [404, "Point de réception introuvable."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "integrations",
  errors,
  prefixes: ["service_account", "token", "webhook"],
  routes: [tokensRoutes, serviceAccountsRoutes, webhooksRoutes],
  jobs: [deliverWebhookJob],
  flash: {
    "service_account.created": "Compte de service créé. Donnez-lui un jeton pour que le système qu'il représente appelle l'API.",
    "token.revoked": "Le jeton a été révoqué : les programmes qui s'en servent reçoivent désormais un refus.",
    "webhook.created": "Le point de réception a été ajouté.",
    "webhook.deleted": "Le point de réception a été supprimé : plus rien ne lui est envoyé.",
  },
});
