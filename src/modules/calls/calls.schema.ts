import { z } from "zod";
import { isoDate } from "../../app/validation.ts";
import { MAPPING_FIELDS } from "./mapped.ts";

/** Input schemas of the calls module: the API contract, never the table types. */
export const orgParams = z.object({ orgId: z.string().uuid() });
export const importParams = z.object({ orgId: z.string().uuid(), importId: z.string().uuid() });

export const periodQuery = z.object({
  from: isoDate.optional().catch(undefined),
  to: isoDate.optional().catch(undefined),
  auto: z.string().optional(),
});

export const formatField = z.enum(["asterisk", "mapped"], { error: "Choisissez le format du fichier." });

const columnName = z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined), z.string().max(120).optional());

/** The mapping form: one select per field, named `map_<field>`, holding the header's column name. */
export const mappingForm = z.object({
  ...Object.fromEntries(MAPPING_FIELDS.map((f) => [`map_${f}`, columnName])),
  answeredValues: columnName,
}) as z.ZodType<Partial<Record<`map_${(typeof MAPPING_FIELDS)[number]}` | "answeredValues", string>>>;

export const settingsForm = z.object({
  rings: z.preprocess(
    (v) => (v === "" || v === undefined ? null : v),
    z.coerce
      .number({ error: "Indiquez un nombre de sonneries." })
      .int("Un nombre entier.")
      .min(1, "Au moins 1.")
      .max(30, "Au plus 30.")
      .nullable(),
  ),
  secondsPerRing: z.coerce
    .number({ error: "Indiquez la durée d'une sonnerie en secondes." })
    .int("Un nombre entier de secondes.")
    .min(1, "Au moins 1 seconde.")
    .max(30, "Au plus 30 secondes."),
  inboundContexts: z.preprocess(
    (v) => (typeof v === "string" ? v.split(/[\s,;]+/).filter(Boolean) : []),
    z.array(z.string().max(80, "Un contexte a au plus 80 caractères.")).max(50, "Au plus 50 contextes."),
  ),
  version: z.coerce.number().int().min(0),
});

export const callIndicatorsQuery = z.object({ from: isoDate, to: isoDate });
