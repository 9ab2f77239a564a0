/** Pages légales de l'instance et déclaration d'accessibilité. */
import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { accessibilityStatusPoint } from "../../ui/page.tsx";
import { legalRoutes } from "./legal.routes.tsx";
import { COMPLIANCE_LABELS, currentCompliance } from "./legal.service.ts";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "legal.not_found": [404, "Page introuvable."],
  "legal.stale": [409, "Cette page a été modifiée par quelqu'un d'autre pendant votre saisie. Rechargez la page."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "legal",
  errors,
  prefixes: ["legal"],
  routes: [legalRoutes],
  contributions: [accessibilityStatusPoint.with(() => COMPLIANCE_LABELS[currentCompliance()])],
  flash: {
    "legal.updated": "La page a été mise à jour.",
  },
});
