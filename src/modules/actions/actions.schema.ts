import { z } from "zod";
import { blankAsAbsent, isoDate, optionalText, requiredText, versionField } from "../../kernel/validation.ts";
import { CHANNELS } from "../frameworks/channels.ts";
import { ACTION_STATUSES } from "./action-status.ts";

export const orgParams = z.object({ orgId: z.string().uuid() });
export const actionParams = orgParams.extend({ actionId: z.string().uuid() });

const year = z.coerce
  .number({ error: "Indiquez l'année du plan." })
  .int("Indiquez l'année du plan.")
  .min(2000, "Année hors de la période gérée (2000 à 2100).")
  .max(2100, "Année hors de la période gérée (2000 à 2100).");

export const actionInputSchema = z.object({
  title: requiredText(1000, "L'intitulé"),
  commitmentId: blankAsAbsent(z.string().max(100).optional()),
  channel: blankAsAbsent(z.enum(CHANNELS, { error: "Canal inconnu." }).optional()),
  owner: optionalText(200, "Le responsable"),
  service: optionalText(200, "Le service"),
  dueOn: blankAsAbsent(isoDate.optional()),
  planYear: year,
  status: blankAsAbsent(z.enum(ACTION_STATUSES, { error: "Statut inconnu." }).optional()),
});
export type ActionInput = z.output<typeof actionInputSchema>;

export const actionUpdateSchema = actionInputSchema.extend({ version: versionField, note: optionalText(5000, "La note") });

export const statusChangeSchema = z.object({
  status: z.enum(ACTION_STATUSES, { error: "Choisissez un statut." }),
  version: versionField,
  note: optionalText(5000, "La note"),
});

const idList = z.preprocess(
  (v) => (typeof v === "string" ? [v] : v),
  z.array(z.string().uuid()).min(1, "Cochez au moins une action.").max(1000),
);

export const bulkSchema = z.object({
  ids: idList,
  status: z.enum(ACTION_STATUSES, { error: "Choisissez le nouveau statut." }),
});

export const leversSchema = z.object({
  leverIds: z.preprocess(
    (v) => (typeof v === "string" ? [v] : v),
    z.array(z.string().max(40), { error: "Cochez au moins un levier." }).min(1, "Cochez au moins un levier.").max(200),
  ),
  planYear: year,
  dueOn: blankAsAbsent(isoDate.optional()),
  owner: optionalText(200, "Le responsable"),
});

export const listQuerySchema = z.object({
  status: blankAsAbsent(z.enum(ACTION_STATUSES).optional()).catch(undefined),
  commitment: blankAsAbsent(z.string().max(100).optional()).catch(undefined),
  channel: blankAsAbsent(z.enum(CHANNELS).optional()).catch(undefined),
  owner: blankAsAbsent(z.string().max(200).optional()).catch(undefined),
  year: blankAsAbsent(z.coerce.number().int().min(2000).max(2100).optional()).catch(undefined),
  q: blankAsAbsent(z.string().max(200).optional()).catch(undefined),
  overdue: blankAsAbsent(z.literal("1").optional()).catch(undefined),
  site: blankAsAbsent(z.string().trim().max(200).optional()).catch(undefined),
  after: blankAsAbsent(z.string().max(400).optional()).catch(undefined),
});
export type ListQuery = z.output<typeof listQuerySchema>;

export const suggestionQuerySchema = z.object({
  assessment: blankAsAbsent(z.string().uuid().optional()).catch(undefined),
});
