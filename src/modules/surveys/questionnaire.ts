import { z } from "zod";

/**
 * A questionnaire definition: sections of typed questions, with simple show-if logic and the
 * commitments each question measures. Pure; what a version of a questionnaire stores.
 */
export const QUESTION_TYPES = ["scale", "smiley", "yes_no", "single_choice", "multiple_choice", "recommendation", "text"] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const QUESTION_TYPE_LABELS: Record<QuestionType, string> = {
  scale: "Échelle de 1 à 5",
  smiley: "Smileys",
  yes_no: "Oui / non",
  single_choice: "Choix unique",
  multiple_choice: "Choix multiple",
  recommendation: "Recommandation de 0 à 10",
  text: "Texte libre",
};

/** Question and option ids end up in form field names and stored answers: they must never need escaping. */
const ID = /^[a-z][a-z0-9-]{0,39}$/;
/** Same shape as the frameworks' ids (marianne-2008/14, sp+2021/6). */
const COMMITMENT_ID = /^[a-z0-9+-]+\/\d+$/;

const id = (what: string) =>
  z
    .string({ error: `${what} est obligatoire.` })
    .regex(ID, `${what} : lettres minuscules, chiffres et tirets, commençant par une lettre (40 caractères au plus).`);
const label = (what: string, max: number) =>
  z
    .string({ error: `${what} est obligatoire.` })
    .trim()
    .min(1, `${what} est obligatoire.`)
    .max(max, `${what} dépasse ${max} caractères.`);

const optionSchema = z.object({ value: id("La valeur de l'option"), label: label("Le libellé de l'option", 200) }).strict();

const showIfSchema = z
  .object({
    question: id("La question de la condition"),
    // Numbers are accepted for readability of the data files ("anyOf": [1, 2]); answers compare as text.
    anyOf: z.array(z.union([z.string(), z.number()]).transform(String)).min(1, "La condition doit citer au moins une réponse."),
  })
  .strict();

const base = {
  id: id("L'identifiant de la question"),
  label: label("Le libellé de la question", 500),
  help: label("L'aide", 1000).optional(),
  required: z.boolean().default(false),
  commitments: z
    .array(z.string().regex(COMMITMENT_ID, "Engagement attendu sous la forme référentiel/numéro, par exemple marianne-2008/14."))
    .default([]),
  showIf: showIfSchema.optional(),
};

const choices = z.array(optionSchema).min(2, "Proposez au moins deux réponses.");

export const questionSchema = z.discriminatedUnion(
  "type",
  [
    z.object({ ...base, type: z.literal("scale") }).strict(),
    z
      .object({
        ...base,
        type: z.literal("smiley"),
        levels: z.union([z.literal(3), z.literal(5)], { error: "Les smileys ont 3 ou 5 niveaux." }),
      })
      .strict(),
    // Not every yes/no question is an opinion ("Est-ce votre première visite ?"), and some are negative
    // ("Avez-vous dû revenir ?"): the question says which answer counts as satisfied.
    z.object({ ...base, type: z.literal("yes_no"), satisfiedWhen: z.enum(["yes", "no", "none"]).default("yes") }).strict(),
    z.object({ ...base, type: z.literal("single_choice"), options: choices }).strict(),
    z.object({ ...base, type: z.literal("multiple_choice"), options: choices }).strict(),
    z.object({ ...base, type: z.literal("recommendation") }).strict(),
    z.object({ ...base, type: z.literal("text"), maxLength: z.number().int().min(1).max(10_000).default(2000) }).strict(),
  ],
  { error: `Type de question inconnu (attendu : ${QUESTION_TYPES.join(", ")}).` },
);
export type Question = z.output<typeof questionSchema>;

const sectionSchema = z
  .object({
    id: id("L'identifiant de la section"),
    title: label("Le titre de la section", 200).optional(),
    questions: z.array(questionSchema).min(1, "Une section contient au moins une question."),
  })
  .strict();
export type Section = z.output<typeof sectionSchema>;

export const questionnaireSchema = z
  .object({
    title: label("Le titre du questionnaire", 200),
    introduction: label("L'introduction", 2000).optional(),
    thanks: label("Le message de remerciement", 1000).optional(),
    sections: z.array(sectionSchema).min(1, "Le questionnaire contient au moins une question."),
  })
  .strict()
  .superRefine((q, ctx) => {
    const seenSections = new Set<string>();
    q.sections.forEach((s, i) => {
      if (seenSections.has(s.id))
        ctx.addIssue({ code: "custom", path: ["sections", i, "id"], message: `La section « ${s.id} » existe déjà.` });
      seenSections.add(s.id);
    });
    // Walking in order, `earlier` holds exactly the questions a show-if may refer to: a condition can
    // only look back, so there can be no cycle and a respondent always meets the condition first.
    const earlier = new Map<string, Question>();
    q.sections.forEach((s, i) => {
      s.questions.forEach((question, j) => {
        const path = ["sections", i, "questions", j];
        for (const issue of questionIssues(question, earlier))
          ctx.addIssue({ code: "custom", path: [...path, ...issue.path], message: issue.message });
        if (!earlier.has(question.id)) earlier.set(question.id, question);
      });
    });
  });
export type Questionnaire = z.output<typeof questionnaireSchema>;
export type QuestionnaireInput = z.input<typeof questionnaireSchema>;

function questionIssues(q: Question, earlier: Map<string, Question>): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  if (earlier.has(q.id)) issues.push({ path: ["id"], message: `La question « ${q.id} » existe déjà.` });
  if ("options" in q) {
    const values = q.options.map((o) => o.value);
    const twice = values.filter((v, i) => values.indexOf(v) !== i);
    if (twice.length) issues.push({ path: ["options"], message: `Valeur d'option en double : ${[...new Set(twice)].join(", ")}.` });
  }
  if (q.showIf) {
    const target = earlier.get(q.showIf.question);
    const allowed = target && choicesOf(target);
    if (q.showIf.question === q.id) {
      issues.push({ path: ["showIf", "question"], message: "Une question ne peut pas dépendre d'elle-même." });
    } else if (!target) {
      issues.push({
        path: ["showIf", "question"],
        message: `La condition porte sur « ${q.showIf.question} », qui n'est pas une question précédente.`,
      });
    } else if (!allowed) {
      issues.push({ path: ["showIf", "question"], message: "Une condition ne peut pas porter sur une question à texte libre." });
    } else {
      const known = new Set(allowed.map((c) => c.value));
      const unknown = q.showIf.anyOf.filter((v) => !known.has(v));
      if (unknown.length) {
        issues.push({
          path: ["showIf", "anyOf"],
          message: `Réponse inconnue pour la question « ${target.id} » : ${unknown.join(", ")}.`,
        });
      }
    }
  }
  return issues;
}

/** Questions in the order a respondent meets them. */
export function allQuestions(q: Questionnaire): Question[] {
  return q.sections.flatMap((s) => s.questions);
}

export interface Choice {
  /** The stored and submitted form of the answer: "4", "yes", an option's value. */
  value: string;
  label: string;
}

const SCALE: Choice[] = ["Très insatisfait", "Insatisfait", "Ni satisfait ni insatisfait", "Satisfait", "Très satisfait"].map(
  (label, i) => ({ value: String(i + 1), label }),
);
const SMILEY_5: Choice[] = ["Très mécontent", "Mécontent", "Neutre", "Content", "Très content"].map((label, i) => ({
  value: String(i + 1),
  label,
}));
const SMILEY_3: Choice[] = ["Mécontent", "Neutre", "Content"].map((label, i) => ({ value: String(i + 1), label }));
const YES_NO: Choice[] = [
  { value: "yes", label: "Oui" },
  { value: "no", label: "Non" },
];
const RECOMMENDATION: Choice[] = Array.from({ length: 11 }, (_, i) => ({
  value: String(i),
  label: i === 0 ? "0 – pas du tout probable" : i === 10 ? "10 – très probable" : String(i),
}));

/** The answers a question offers, in display order; null for free text. */
export function choicesOf(q: Question): Choice[] | null {
  switch (q.type) {
    case "scale":
      return SCALE;
    case "smiley":
      return q.levels === 3 ? SMILEY_3 : SMILEY_5;
    case "yes_no":
      return YES_NO;
    case "single_choice":
    case "multiple_choice":
      return q.options;
    case "recommendation":
      return RECOMMENDATION;
    case "text":
      return null;
  }
}

export type Sentiment = "satisfied" | "neutral" | "dissatisfied";

/**
 * Which side of satisfaction an answer falls on, or null when the question is not an opinion
 * (choices, free text, a factual yes/no). The 0–10 question follows the usual promoter rule
 * (9–10 satisfied, 7–8 neutral, 0–6 dissatisfied), so net satisfaction on it is the classic
 * recommendation score; the share rated 8 or more (issue #8) is computed apart, see statistics.ts.
 */
export function sentimentOf(q: Question, value: string): Sentiment | null {
  const n = Number(value);
  switch (q.type) {
    case "scale":
      return n >= 4 ? "satisfied" : n <= 2 ? "dissatisfied" : "neutral";
    case "smiley":
      if (q.levels === 3) return n === 3 ? "satisfied" : n === 1 ? "dissatisfied" : "neutral";
      return n >= 4 ? "satisfied" : n <= 2 ? "dissatisfied" : "neutral";
    case "yes_no":
      if (q.satisfiedWhen === "none") return null;
      return value === q.satisfiedWhen ? "satisfied" : "dissatisfied";
    case "recommendation":
      return n >= 9 ? "satisfied" : n <= 6 ? "dissatisfied" : "neutral";
    default:
      return null;
  }
}

/** Whether a satisfaction rate means anything for this question. */
export function measuresSatisfaction(q: Question): boolean {
  return choicesOf(q)?.some((c) => sentimentOf(q, c.value) !== null) ?? false;
}

/** Commitment ids the questionnaire names that the given frameworks do not hold (a typo, a retired framework). */
export function unknownCommitments(q: Questionnaire, known: ReadonlySet<string>): string[] {
  return [...new Set(allQuestions(q).flatMap((question) => question.commitments))].filter((c) => !known.has(c));
}

export interface DefinitionError {
  /** Where, as a person reads it: "Section 1, question 2". */
  where: string;
  message: string;
}

/** Checks a definition (from an editor form or a data file) and says what is wrong in French. */
export function parseQuestionnaire(input: unknown): { ok: true; questionnaire: Questionnaire } | { ok: false; errors: DefinitionError[] } {
  // Zod's French messages cover what the schema does not word itself (an unknown key, a number for a text).
  const result = questionnaireSchema.safeParse(input, { error: FRENCH.localeError });
  if (result.success) return { ok: true, questionnaire: result.data };
  return { ok: false, errors: result.error.issues.map((i) => ({ where: describePath(i.path), message: i.message })) };
}

const FRENCH = z.locales.fr();

function describePath(path: PropertyKey[]): string {
  const [, section, , question] = path;
  if (path[0] !== "sections" || typeof section !== "number") return "Questionnaire";
  if (typeof question !== "number") return `Section ${section + 1}`;
  return `Section ${section + 1}, question ${question + 1}`;
}
