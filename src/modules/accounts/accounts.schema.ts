import { z } from "zod";
import { ROLES } from "../../kernel/roles.ts";
import { requiredText, versionField } from "../../kernel/validation.ts";
import { checkPasswordPolicy } from "./passwords.ts";

const email = z.preprocess(
  (v) => (typeof v === "string" ? v.trim().toLowerCase() : v),
  z
    .string({ error: "L'adresse électronique est obligatoire." })
    .min(1, "L'adresse électronique est obligatoire.")
    .max(254, "L'adresse électronique est trop longue.")
    .email("L'adresse électronique n'est pas valide (exemple : prenom.nom@mairie.fr)."),
);

/**
 * A new password: the policy's verdict without the owner (the services check again with the
 * person's name and e-mail, which this field alone does not know).
 */
export const newPassword = z.string({ error: "Le mot de passe est obligatoire." }).superRefine((value, ctx) => {
  const reason = checkPasswordPolicy(value);
  if (reason) ctx.addIssue({ code: "custom", message: reason });
});
const password = newPassword;

const displayName = requiredText(120, "Le nom");

export const loginSchema = z.object({
  email,
  password: z.string({ error: "Le mot de passe est obligatoire." }).min(1, "Le mot de passe est obligatoire.").max(200),
});
export type LoginInput = z.output<typeof loginSchema>;

export const setupSchema = z.object({ email, displayName, password });
export type SetupInput = z.output<typeof setupSchema>;

const role = z.enum(ROLES, { error: "Choisissez un rôle." });
const orgId = z.string({ error: "Choisissez une organisation." }).uuid("Choisissez une organisation.");

export const accountCreateSchema = z.object({ email, displayName, password, role, orgId });
export type AccountCreateInput = z.output<typeof accountCreateSchema>;

export const accountUpdateSchema = z.object({
  displayName,
  active: z.preprocess((v) => v === true || v === "true" || v === "on", z.boolean()),
  version: versionField,
});
export type AccountUpdateInput = z.output<typeof accountUpdateSchema>;

export const passwordResetSchema = z.object({ password, version: versionField });

export const forgotPasswordSchema = z.object({ email });
export const chooseNewPasswordSchema = z.object({
  token: z.string({ error: "Lien incomplet." }).regex(/^[A-Za-z0-9_-]{43}$/, "Lien incomplet."),
  password,
});

export const grantSchema = z.object({ role, orgId });
export type GrantInput = z.output<typeof grantSchema>;

export const accountIdParams = z.object({ accountId: z.string().uuid("Identifiant invalide.") });
