import { z } from "zod";
import { ROLES } from "../../kernel/roles.ts";
import { requiredText, versionField } from "../../kernel/validation.ts";

const claimName = (label: string) =>
  z.preprocess(
    (v) => (typeof v === "string" ? v.trim() : v),
    z
      .string({ error: `${label} est obligatoire.` })
      .min(1, `${label} est obligatoire.`)
      .max(60, `${label} est trop long.`)
      .regex(/^[A-Za-z0-9_.:-]+$/, `${label} : lettres, chiffres, « _ », « . », « : » ou « - » seulement.`),
  );

const checkbox = z.preprocess((v) => v === true || v === "true" || v === "on", z.boolean());

export const providerSchema = z.object({
  label: requiredText(60, "Le libellé du bouton"),
  issuer: z.preprocess(
    (v) => (typeof v === "string" ? v.trim().replace(/\/+$/, "") : v),
    z
      .string({ error: "L'adresse de l'émetteur est obligatoire." })
      .min(1, "L'adresse de l'émetteur est obligatoire.")
      .max(300, "L'adresse de l'émetteur est trop longue.")
      .url("L'adresse de l'émetteur n'est pas une adresse web (exemple : https://auth.agentconnect.gouv.fr/api/v2)."),
  ),
  clientId: requiredText(200, "L'identifiant client"),
  /** Left blank when editing: the secret already stored is kept (it is never shown back). */
  clientSecret: z.preprocess((v) => (typeof v === "string" ? v.trim() : ""), z.string().max(500, "Le secret client est trop long.")),
  scopes: z.preprocess(
    (v) => (typeof v === "string" ? v.trim().split(/\s+/).filter(Boolean).join(" ") : v),
    z
      .string({ error: "Les portées sont obligatoires." })
      .max(300, "Les portées sont trop longues.")
      .refine((s) => s.split(" ").includes("openid"), "Les portées doivent contenir « openid »."),
  ),
  emailClaim: claimName("L'attribut de l'adresse électronique"),
  givenNameClaim: claimName("L'attribut du prénom"),
  familyNameClaim: claimName("L'attribut du nom de naissance"),
  usualNameClaim: claimName("L'attribut du nom d'usage"),
  proconnect: checkbox,
});
export type ProviderInput = z.output<typeof providerSchema>;

export const ruleSchema = z.object({
  claim: claimName("L'attribut"),
  value: requiredText(200, "La valeur"),
  orgId: z.string({ error: "Choisissez une organisation." }).uuid("Choisissez une organisation."),
  role: z.enum(ROLES, { error: "Choisissez un rôle." }),
});
export type RuleInput = z.output<typeof ruleSchema>;

export const providerIdParams = z.object({ providerId: z.string().uuid("Identifiant invalide.") });
export const ruleIdParams = z.object({
  providerId: z.string().uuid("Identifiant invalide."),
  ruleId: z.string().uuid("Identifiant invalide."),
});
export const passwordSettingSchema = z.object({ passwords: z.enum(["on", "off"], { error: "Choisissez une option." }) });

/** What the provider sends back to /oidc/callback: checked loosely here, openid-client checks the rest. */
export const callbackQuery = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
});

export const deleteSchema = z.object({ version: versionField });
