import { z } from "zod";
import { ROLES } from "../../kernel/roles.ts";
import { requiredText } from "../../kernel/validation.ts";
import { API_MODULE_KEYS, type ModuleScopes } from "./api-modules.ts";

const name = requiredText(100, "Le nom du jeton");
const orgId = z.preprocess((v) => (v === "" ? undefined : v), z.guid("Organisation inconnue.").optional());
const days = z.coerce
  .number({ error: "Choisissez une durée de validité." })
  .int("Choisissez une durée de validité.")
  .min(1, "Durée de validité : entre 1 et 365 jours.")
  .max(365, "Durée de validité : un an au plus.");

/**
 * A person's own token. `modules`: the modules ticked (the form always sends an empty one first, so
 * that nothing ticked is told from a client that does not send the field: the latter means all).
 */
export const tokenSchema = z
  .object({
    name,
    scope: z.enum(["read", "write"], { error: "Choisissez la portée du jeton." }),
    modules: z.preprocess(
      (v) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).filter((m) => m !== "")),
      z
        .array(z.enum(API_MODULE_KEYS, { error: "Module inconnu." }))
        .min(1, "Cochez au moins un module de l'API.")
        .optional(),
    ),
    orgId,
    days,
  })
  .transform(({ modules, ...rest }) => ({
    ...rest,
    // Every module ticked: the token follows the API as it grows, new modules included.
    modules:
      !modules || API_MODULE_KEYS.every((m) => modules.includes(m))
        ? null
        : (Object.fromEntries(modules.map((m) => [m, rest.scope])) as ModuleScopes),
  }));

const level = z.preprocess((v) => (v === undefined ? "" : v), z.enum(["", "read", "write"], { error: "Choisissez un accès." }));

/** A service account's token: an access per module (`access_calls`: aucun, lecture, lecture et écriture). */
export const serviceTokenSchema = z
  .object({ name, orgId, days, ...Object.fromEntries(API_MODULE_KEYS.map((m) => [`access_${m}`, level])) })
  .transform((v) => {
    const record = v as unknown as Record<string, string>;
    const modules: ModuleScopes = {};
    for (const m of API_MODULE_KEYS) {
      const chosen = record[`access_${m}`];
      if (chosen === "read" || chosen === "write") modules[m] = chosen;
    }
    return { name: v.name, orgId: v.orgId, days: v.days, scope: "read" as const, modules };
  });

export const serviceAccountSchema = z.object({
  name: requiredText(100, "Le nom du compte de service"),
  orgId: z.guid("Choisissez une organisation."),
  role: z.enum(ROLES, { error: "Choisissez un rôle." }),
});

export const serviceAccountParams = z.object({ accountId: z.guid({ error: "Compte de service introuvable." }) });
export const serviceTokenParams = z.object({ accountId: z.guid(), tokenId: z.guid() });
