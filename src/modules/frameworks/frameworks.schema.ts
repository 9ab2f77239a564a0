import { z } from "zod";
import { blankAsAbsent, requiredText, versionField } from "../../kernel/validation.ts";
import { CHANNELS, REQUEST_KINDS, TARGET_UNITS } from "./channels.ts";

const channelList = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.enum(CHANNELS, { error: "Canal inconnu." })).min(1, "Cochez au moins un canal."),
);

const kindList = z.preprocess(
  (v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.enum(REQUEST_KINDS, { error: "Type de demande inconnu." })),
);

/**
 * A measurable promise an organisation makes itself beyond its delays: rings before pickup. Reply
 * delays have their own table, one per channel and kind (the announced-delays module).
 */
export const localTargetSchema = z.object({
  metric: z.enum(["call_pickup_rings"], {
    error: (issue) =>
      issue.input === "reply_delay"
        ? "Les délais de réponse se règlent dans la page « Délais annoncés » de l'organisation, un par canal et type de demande."
        : "Choisissez ce qui est mesuré.",
  }),
  value: z.coerce
    .number({ error: "Indiquez un nombre." })
    .int("Indiquez un nombre entier.")
    .min(1, "La valeur doit être d'au moins 1.")
    .max(365, "La valeur ne peut dépasser 365."),
  unit: z.enum(TARGET_UNITS, { error: "Choisissez une unité." }),
  channels: channelList,
  kinds: kindList,
});

export const localCommitmentSchema = z.object({
  title: requiredText(300, "L'intitulé"),
  baseCommitmentId: blankAsAbsent(z.string().max(40).optional()),
  channels: channelList,
  targets: z.array(localTargetSchema).max(10, "Dix cibles au plus."),
});
export type LocalCommitmentInput = z.output<typeof localCommitmentSchema>;

export const localCommitmentUpdateSchema = localCommitmentSchema.extend({ version: versionField });
export type LocalCommitmentUpdateInput = z.output<typeof localCommitmentUpdateSchema>;

export const adoptionSchema = z.object({
  frameworkId: blankAsAbsent(z.string({ error: "Choisissez un référentiel." }).max(40).optional()),
});

export const commitmentQuerySchema = z.object({
  framework: blankAsAbsent(z.string().max(40).optional()),
  channel: blankAsAbsent(z.enum(CHANNELS, { error: "Canal inconnu." }).optional()),
  q: blankAsAbsent(z.string().max(200, "Recherche trop longue.").optional()),
});

/**
 * A local commitment as the form sends it: one target, in flat fields, reshaped for the schema.
 * The form is for the common case; the API takes a list of targets.
 */
export function localCommitmentFromForm(body: unknown): unknown {
  const f = (body ?? {}) as Record<string, unknown>;
  const hasTarget = typeof f.metric === "string" && f.metric !== "";
  return {
    title: f.title,
    baseCommitmentId: f.baseCommitmentId,
    channels: f.channels,
    targets: hasTarget ? [{ metric: f.metric, value: f.value, unit: f.unit, channels: f.channels, kinds: f.kinds }] : [],
    ...(f.version !== undefined ? { version: f.version } : {}),
  };
}

export const frameworkParams = z.object({ frameworkId: z.string().max(40) });
export const orgParams = z.object({ orgId: z.string().uuid() });
export const localParams = z.object({ orgId: z.string().uuid(), localId: z.string().uuid("Identifiant invalide.") });
