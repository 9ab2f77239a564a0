import { z } from "zod";
import { blankAsAbsent, isoDate, optionalText } from "../../kernel/validation.ts";
import { MAX_HOURS_LENGTH } from "./hours.ts";

/** What a referent sets: the hours (and from when), the premises' accessibility, the contact channels. */
const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());
const stepFree = z.preprocess((v) => (v === "yes" || v === true ? true : v === "no" || v === false ? false : null), z.boolean().nullable());

export const publicInfoSchema = z.object({
  hours: optionalText(MAX_HOURS_LENGTH, "Horaires"),
  validFrom: blankAsAbsent(isoDate.optional()),
  note: optionalText(500, "Précision sur les horaires"),
  accessibility: optionalText(1000, "Accessibilité"),
  stepFree,
  phone: blankAsAbsent(
    z
      .string()
      .trim()
      .max(30)
      .regex(/^[0-9 +().-]{6,30}$/, "Numéro de téléphone : chiffres, espaces et + seulement.")
      .optional(),
  ),
  email: blankAsAbsent(z.string().trim().max(200).email("Adresse électronique invalide.").optional()),
  website: blankAsAbsent(
    z
      .string()
      .trim()
      .max(300)
      .regex(/^https?:\/\/\S+$/, "Adresse du site : elle commence par https://.")
      .optional(),
  ),
  closesDeadlines: checkbox.optional().default(false),
  version: z.coerce.number({ error: "Version manquante : rechargez la page." }).int().min(0, "Version manquante : rechargez la page."),
});
export type PublicInfoInput = z.infer<typeof publicInfoSchema>;

export const annuaireImportSchema = z.object({
  record: z.union([z.string().max(200_000), z.record(z.string(), z.unknown())]),
  validFrom: blankAsAbsent(isoDate.optional()),
  version: z.coerce.number({ error: "Version manquante : rechargez la page." }).int().min(0),
});
export type AnnuaireImportInput = z.infer<typeof annuaireImportSchema>;
