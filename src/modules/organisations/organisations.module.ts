/** L'arbre des organisations : réseau, régions, sites. */

import type { ErrorEntries } from "../../kernel/errors.ts";
import { defineModule } from "../../kernel/module.ts";
import { auditOrganisationsPoint } from "../audit/audit.service.ts";
import { organisationLogoRoutes } from "./logo.routes.tsx";
import { organisationsRoutes } from "./organisations.routes.tsx";
import { organisationNameSql, subtreesIdsQuery } from "./organisations.sql.ts";

/** The module's error codes: HTTP status and French message. */
const errors = {
  "organisation.not_found": [404, "Organisation introuvable."],
  "organisation.stale": [
    409,
    "Cette organisation a été modifiée par quelqu'un d'autre pendant votre saisie. Rechargez la page pour voir la dernière version.",
  ],
  "organisation.has_children": [409, "Cette organisation a des organisations rattachées : supprimez-les ou déplacez-les d'abord."],
  "organisation.has_data": [409, "Cette organisation a des données (demandes, comptes…) : elle ne peut pas être supprimée."],
  "organisation.invalid_parent": [400, "Ce rattachement n'est pas possible."],
} as const satisfies ErrorEntries;

declare module "../../kernel/errors.ts" {
  interface ModuleErrorCodes extends Record<keyof typeof errors, true> {}
}

export const module = defineModule({
  name: "organisations",
  contributions: [auditOrganisationsPoint.with({ organisationNameSql, subtreesIdsQuery })],
  errors,
  prefixes: ["org", "organisation"],
  routes: [organisationsRoutes, organisationLogoRoutes],
  flash: {
    "org.created": "L'organisation a été créée.",
    "org.updated": "Les modifications ont été enregistrées.",
    "org.deleted": "L'organisation a été supprimée.",
    "org.logo_set": "Le logo a été enregistré.",
    "org.logo_removed": "Le logo a été retiré.",
  },
});
