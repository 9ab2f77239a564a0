/** Relève des boîtes aux lettres (IMAP) en demandes. */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { collectJob, reviveJob } from "./mailboxes.jobs.ts";
import { mailboxesRoutes } from "./mailboxes.routes.tsx";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "mailbox.not_found": [404, "Boîte aux lettres introuvable."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "mailboxes",
  errors,
  prefixes: ["mailbox"],
  routes: [mailboxesRoutes],
  jobs: [collectJob, reviveJob],
  flash: {
    "mailbox.saved": "La boîte aux lettres est enregistrée : sa première relève est en file et a lieu dans la minute.",
    "mailbox.collecting": "Relève demandée : elle a lieu dans la minute, rechargez la page pour voir son résultat.",
    "mailbox.deleted": "La boîte aux lettres n'est plus relevée. Les demandes déjà enregistrées restent.",
  },
});
