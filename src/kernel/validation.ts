import { z } from "zod";
import { AppError, type FieldErrors } from "./errors.ts";

// Messages zod writes by itself come out in French; schemas give friendlier ones where it matters.
z.config(z.locales.fr());

/** Form fields arrive as strings; an empty field means "not given". */
export const optionalText = (max: number, label: string) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v),
    z.string().max(max, `${label} : ${max} caractères au plus.`).optional(),
  );

export const requiredText = (max: number, label: string) =>
  z.preprocess(
    (v) => (typeof v === "string" ? v.trim() : v),
    z
      .string({ error: `${label} est obligatoire.` })
      .min(1, `${label} est obligatoire.`)
      .max(max, `${label} : ${max} caractères au plus.`),
  );

/** A form field left empty is a field not given: the schema's own "optional" then applies. */
export const blankAsAbsent = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === "" ? undefined : v), schema);

/** A version number sent back by an edit form, for optimistic locking. */
export const versionField = z.coerce
  .number({ error: "Version manquante : rechargez la page." })
  .int()
  .positive("Version manquante : rechargez la page.");

export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    if (!(key in fields)) fields[key] = issue.message;
  }
  return fields;
}

/** Parses input with a schema; bad input becomes a 400 AppError carrying a message per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError("validation", { fields: fieldErrors(result.error) });
  return result.data;
}

/** A calendar date typed as AAAA-MM-JJ (what a date field sends), that exists, in the calendar's range. */
export const isoDate = z
  .string({ error: "Indiquez une date." })
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Date attendue au format AAAA-MM-JJ.")
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    "Cette date n'existe pas.",
  )
  .refine((d) => d >= "2000-01-01" && d <= "2100-12-31", "Date hors de la période gérée (2000 à 2100).");
