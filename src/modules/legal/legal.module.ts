/** Pages légales de l'instance et déclaration d'accessibilité. */
import { defineModule } from "../../kernel/module.ts";
import { accessibilityStatusPoint } from "../../ui/page.tsx";
import { legalRoutes } from "./legal.routes.tsx";
import { COMPLIANCE_LABELS, currentCompliance } from "./legal.service.ts";

export const module = defineModule({
  name: "legal",
  prefixes: ["legal"],
  routes: [legalRoutes],
  contributions: [accessibilityStatusPoint.with(() => COMPLIANCE_LABELS[currentCompliance()])],
  flash: {
    "legal.updated": "La page a été mise à jour.",
  },
});
