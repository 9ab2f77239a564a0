import { z } from "zod";

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const isoDate = (label: string) =>
  z.preprocess(
    blank,
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} : indiquez une date (jj/mm/aaaa).`)
      .optional(),
  );

export const LABEL_LEVELS = ["bronze", "argent", "or"] as const;
export const LEVEL_LABELS: Record<(typeof LABEL_LEVELS)[number], string> = { bronze: "Bronze", argent: "Argent", or: "Or" };

export const labelFileSchema = z.object({
  candidacyOn: isoDate("Candidature"),
  auditOn: isoDate("Audit"),
  body: z.preprocess(blank, z.string().trim().max(200, "L'organisme : 200 caractères au plus.").optional()),
  level: z.preprocess(blank, z.enum(LABEL_LEVELS, { error: "Niveau inconnu : bronze, argent ou or." }).optional()),
  certifiedOn: isoDate("Date d'attribution"),
  followUpOn: isoDate("Audit de suivi"),
});
export type LabelFileInput = z.output<typeof labelFileSchema>;

export const FINDING_KINDS = ["non_conformity", "remark"] as const;
export const KIND_LABELS: Record<(typeof FINDING_KINDS)[number], string> = { non_conformity: "Non-conformité", remark: "Remarque" };

export const findingSchema = z.object({
  kind: z.enum(FINDING_KINDS, { error: "Choisissez : non-conformité ou remarque." }),
  text: z
    .string({ error: "Décrivez le constat." })
    .trim()
    .min(1, "Décrivez le constat.")
    .max(1000, "Le constat : 1 000 caractères au plus."),
  dueOn: z.string({ error: "Indiquez l'échéance." }).regex(/^\d{4}-\d{2}-\d{2}$/, "Indiquez l'échéance (jj/mm/aaaa)."),
});
export type FindingInput = z.output<typeof findingSchema>;
