import { z } from "zod";
import { blankAsAbsent, optionalText, requiredText, versionField } from "../../kernel/validation.ts";
import { HOLIDAY_ZONES, isTimeZone, ORG_KINDS } from "./organisation.ts";
import { isValidSiret, normaliseSiret } from "./siret.ts";

const uuid = z.string().uuid("Identifiant invalide.");

const siret = z.preprocess(
  (v) => (typeof v === "string" ? (normaliseSiret(v) === "" ? undefined : normaliseSiret(v)) : v),
  z
    .string()
    .regex(/^\d{14}$/, "Le SIRET compte 14 chiffres.")
    .refine(isValidSiret, "Ce SIRET n'est pas valide (clé de contrôle incorrecte).")
    .optional(),
);

const postcode = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v),
  z
    .string()
    .regex(/^(\d{5}|2[AB]\d{3})$/, "Le code postal compte 5 chiffres.")
    .optional(),
);

const organisationFields = {
  name: requiredText(200, "Le nom"),
  kind: z.enum(ORG_KINDS, { error: "Choisissez un type d'organisation." }),
  addressStreet: optionalText(300, "L'adresse"),
  addressPostcode: postcode,
  addressCity: optionalText(120, "La commune"),
  siret,
  timeZone: z
    .string({ error: "Choisissez un fuseau horaire." })
    .refine(isTimeZone, "Ce fuseau horaire n'existe pas (exemple : Europe/Paris)."),
  holidayZone: z.enum(HOLIDAY_ZONES, { error: "Choisissez une zone de jours fériés." }),
};

export const organisationCreateSchema = z.object({
  ...organisationFields,
  parentId: blankAsAbsent(uuid.optional()),
});
export type OrganisationCreateInput = z.output<typeof organisationCreateSchema>;

export const organisationUpdateSchema = z.object({ ...organisationFields, version: versionField });
export type OrganisationUpdateInput = z.output<typeof organisationUpdateSchema>;

export const orgIdParams = z.object({ orgId: uuid });

/** What the JSON API returns for an organisation. */
export const organisationOut = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  path: z.array(z.string()),
  kind: z.enum(ORG_KINDS),
  name: z.string(),
  address: z.object({ street: z.string().nullable(), postcode: z.string().nullable(), city: z.string().nullable() }),
  siret: z.string().nullable(),
  timeZone: z.string(),
  holidayZone: z.enum(HOLIDAY_ZONES),
  version: z.number(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
