import { z } from "zod";
import { versionField } from "../../kernel/validation.ts";
import { ITEM_STATUSES } from "./score.ts";

export const orgParams = z.object({ orgId: z.string().uuid() });
export const campaignParams = orgParams.extend({ assessmentId: z.string().uuid() });
export const commitmentParams = campaignParams.extend({ index: z.coerce.number().int().positive() });
export const evidenceParams = campaignParams.extend({ evidenceId: z.string().uuid() });

export const campaignCreateSchema = z.object({
  year: z.coerce
    .number({ error: "Indiquez l'année." })
    .int("Indiquez l'année.")
    .min(2000, "Année hors de la période gérée (2000 à 2100).")
    .max(2100, "Année hors de la période gérée (2000 à 2100)."),
});

export const signSchema = z.object({ version: versionField });

const link = z
  .string()
  .trim()
  .max(500, "Un lien : 500 caractères au plus.")
  .regex(/^https?:\/\/\S+$/, "Un lien commence par https:// (un par ligne).");

export const answerSchema = z.object({
  requirementId: z.string().min(1).max(200),
  status: z.enum(ITEM_STATUSES, { error: "Choisissez une réponse." }).optional(),
  comment: z.string().trim().max(5000, "Le commentaire : 5 000 caractères au plus.").optional(),
  links: z.array(link).max(10, "10 liens au plus."),
  version: versionField,
});
export type CommitmentAnswers = Array<z.output<typeof answerSchema>>;

/**
 * The commitment form names its fields by requirement rank (`r3-status`, `r3-comment`…), the rank
 * being the requirement's place on the page; `r3-id` says which requirement it is.
 */
export function answersFromForm(body: unknown): unknown[] {
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const out: unknown[] = [];
  for (let i = 1; i <= 200; i++) {
    const id = fields[`r${i}-id`];
    if (typeof id !== "string") break;
    const text = (k: string) => (typeof fields[`r${i}-${k}`] === "string" ? String(fields[`r${i}-${k}`]) : "");
    out.push({
      requirementId: id,
      status: text("status") || undefined,
      comment: text("comment").trim() || undefined,
      links: text("links")
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
      version: text("version"),
    });
  }
  return out;
}
