/** Jetons d'API, comptes de service, points de réception (webhooks). */
import { defineModule } from "../../kernel/module.ts";
import { serviceAccountsRoutes } from "./service-accounts.routes.tsx";
import { tokensRoutes } from "./tokens.routes.tsx";
import { deliverWebhookJob } from "./webhooks.jobs.ts";
import { webhooksRoutes } from "./webhooks.routes.tsx";

export const module = defineModule({
  name: "integrations",
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
