/** Relève des boîtes aux lettres (IMAP) en demandes. */
import { defineModule } from "../../kernel/module.ts";
import { collectJob, reviveJob } from "./mailboxes.jobs.ts";
import { mailboxesRoutes } from "./mailboxes.routes.tsx";

export const module = defineModule({
  name: "mailboxes",
  prefixes: ["mailbox"],
  routes: [mailboxesRoutes],
  jobs: [collectJob, reviveJob],
  flash: {
    "mailbox.saved": "La boîte aux lettres est enregistrée : sa première relève est en file et a lieu dans la minute.",
    "mailbox.collecting": "Relève demandée : elle a lieu dans la minute, rechargez la page pour voir son résultat.",
    "mailbox.deleted": "La boîte aux lettres n'est plus relevée. Les demandes déjà enregistrées restent.",
  },
});
