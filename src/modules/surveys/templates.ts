import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DATA_DIR } from "../frameworks/reference-data.ts";
import { parseQuestionnaire, questionnaireSchema } from "./questionnaire.ts";

/**
 * The ready-made questionnaires shipped in data/surveys/, which a referent copies and adapts.
 * Checked when loaded, like the frameworks: a typo in a file stops the start-up with a message.
 */
export const SURVEY_KINDS = ["annual", "on_the_spot", "label_users", "label_agents"] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];

export const SURVEY_KIND_LABELS: Record<SurveyKind, string> = {
  annual: "Enquête annuelle",
  on_the_spot: "Enquête à chaud",
  label_users: "Label Services Publics +, usagers",
  label_agents: "Label Services Publics +, agents",
};

export const surveyTemplateSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    kind: z.enum(SURVEY_KINDS),
    name: z.string().min(1),
    description: z.string().min(1),
    questionnaire: questionnaireSchema,
  })
  .strict();
export type SurveyTemplate = z.output<typeof surveyTemplateSchema>;

export const TEMPLATE_FILES = ["annual.json", "on-the-spot.json", "label-users.json", "label-agents.json"];

/** The two questionnaires the label audit asks for; the label file offers to create them. */
export const LABEL_USERS_TEMPLATE = "label-users";
export const LABEL_AGENTS_TEMPLATE = "label-agents";

export function loadSurveyTemplates(): SurveyTemplate[] {
  return TEMPLATE_FILES.map((file) => {
    const raw: unknown = JSON.parse(readFileSync(path.join(DATA_DIR, "surveys", file), "utf8"));
    const result = surveyTemplateSchema.safeParse(raw);
    if (result.success) return result.data;
    // Re-run the questionnaire alone for its French "Section 2, question 3" locations.
    const inner = typeof raw === "object" && raw !== null && "questionnaire" in raw ? parseQuestionnaire(raw.questionnaire) : null;
    const first = inner && !inner.ok ? `${inner.errors[0]?.where} : ${inner.errors[0]?.message}` : result.error.issues[0]?.message;
    throw new Error(`Modèle de questionnaire invalide ${file} : ${first}`);
  });
}
