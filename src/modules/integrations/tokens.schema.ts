import { z } from "zod";
import { requiredText } from "../../app/validation.ts";

export const tokenSchema = z.object({
  name: requiredText(100, "Le nom du jeton"),
  scope: z.enum(["read", "write"], { error: "Choisissez la portée du jeton." }),
  orgId: z.preprocess((v) => (v === "" ? undefined : v), z.guid("Organisation inconnue.").optional()),
  days: z.coerce
    .number({ error: "Choisissez une durée de validité." })
    .int("Choisissez une durée de validité.")
    .min(1, "Durée de validité : entre 1 et 365 jours.")
    .max(365, "Durée de validité : un an au plus."),
});
