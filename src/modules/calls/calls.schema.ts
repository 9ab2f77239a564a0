import { z } from "zod";
import { isoDate } from "../../kernel/validation.ts";
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

/** A call pushed by another system through the API (`POST …/calls`). */
export const pushedCall = z.object({
  id: z
    .string({ error: "Identifiant de l'appel manquant." })
    .min(1, "Identifiant de l'appel manquant.")
    .max(200, "Identifiant de l'appel : 200 caractères au plus.")
    .describe("Identifiant unique de l'appel dans le système qui l'envoie : un appel envoyé deux fois n'est compté qu'une fois."),
  startedAt: z
    .string({ error: "Heure de début manquante." })
    .describe(
      "Début de l'appel : heure locale de l'organisation (`2026-03-02T08:15:00`) ou instant avec décalage (`2026-03-02T07:15:00Z`, `…+01:00`).",
    ),
  line: z.string().trim().max(120, "Ligne : 120 caractères au plus.").default("").describe("Ligne ou numéro appelé (facultatif)."),
  outcome: z.enum(["answered", "abandoned", "busy", "failed"], { error: "Issue de l'appel : answered, abandoned, busy ou failed." }),
  wait: z
    .number({ error: "Attente en secondes (nombre entier)." })
    .int("Attente en secondes (nombre entier).")
    .min(0, "L'attente ne peut pas être négative.")
    .max(86_400, "Attente : une journée au plus.")
    .describe("Sonnerie ou attente en secondes : jusqu'au décroché, ou jusqu'à ce que l'appelant raccroche."),
  talk: z
    .number({ error: "Durée de conversation en secondes (nombre entier)." })
    .int("Durée de conversation en secondes (nombre entier).")
    .min(0, "La durée de conversation ne peut pas être négative.")
    .max(86_400, "Conversation : une journée au plus.")
    .default(0),
});
export type PushedCall = z.infer<typeof pushedCall>;

export const MAX_PUSHED_CALLS = 5000;
export const pushCallsBody = z.object({
  calls: z
    .array(pushedCall, { error: "Envoyez une liste d'appels (`calls`)." })
    .min(1, "Envoyez au moins un appel.")
    .max(MAX_PUSHED_CALLS, "5 000 appels au plus par envoi : découpez l'envoi."),
});
