import { z } from "zod";
import { blankAsAbsent, isoDate, optionalText, requiredText, versionField } from "../../kernel/validation.ts";
import { CHANNELS } from "../frameworks/channels.ts";
import { TRAINING_THEMES } from "./themes.ts";

export const orgParams = z.object({ orgId: z.string().uuid() });
export const staffParams = orgParams.extend({ staffId: z.string().uuid() });
export const incidentParams = orgParams.extend({ incidentId: z.string().uuid() });

export const staffCreateSchema = z.object({ name: requiredText(200, "Le nom"), job: optionalText(200, "La fonction") });
export const activeSchema = z.object({ active: z.enum(["true", "false"]).transform((v) => v === "true"), version: versionField });

export const trainingSchema = z.object({
  staffId: z.string({ error: "Choisissez l'agent." }).uuid("Choisissez l'agent."),
  theme: z.enum(TRAINING_THEMES, { error: "Choisissez le thème." }),
  completedOn: isoDate,
});

export const incidentSchema = z.object({
  occurredOn: isoDate,
  channel: blankAsAbsent(z.enum(CHANNELS, { error: "Canal inconnu." }).optional()),
  description: requiredText(5000, "La description"),
});

export const triageSchema = z
  .object({
    decision: z.enum(["action", "dismiss"], { error: "Choisissez : créer une action ou classer." }),
    title: optionalText(1000, "L'intitulé de l'action"),
    commitmentId: blankAsAbsent(z.string().max(100).optional()),
    note: optionalText(2000, "La note"),
    version: versionField,
  })
  .refine((v) => v.decision === "dismiss" || v.title, { path: ["title"], message: "Donnez l'intitulé de l'action à créer." });
