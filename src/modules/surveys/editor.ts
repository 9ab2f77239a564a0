import { AppError } from "../../kernel/errors.ts";
import { allQuestions, QUESTION_TYPES, type Question, type Questionnaire, type QuestionType } from "./questionnaire.ts";

/**
 * The questionnaire builder's operations on a draft, as a person fills the editor's forms: each
 * returns a new definition, which `saveDraft` then checks in full (show-if, duplicates, tags).
 * Pure. Ids are made from the labels and never change afterwards: they are the stored answers' keys.
 */
export type EditorInput = Record<string, string | string[] | undefined>;

const text = (input: EditorInput, name: string): string => {
  const v = input[name];
  return (Array.isArray(v) ? (v[0] ?? "") : (v ?? "")).trim();
};
const list = (input: EditorInput, name: string): string[] => {
  const v = input[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => x.trim()).filter(Boolean);
};

function invalid(fields: Record<string, string>): never {
  throw new AppError("validation", { fields });
}

/** « Horaires d'ouverture » → horaires-d-ouverture, unique among `taken`. */
export function slugId(label: string, taken: Set<string>, fallback: string): string {
  const base =
    label
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^[^a-z]+|-+$/g, "")
      .slice(0, 32)
      .replace(/-+$/, "") || fallback;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

const clone = (q: Questionnaire): Questionnaire => structuredClone(q);

function optionsFrom(input: EditorInput, previous: Array<{ value: string; label: string }> = []): Array<{ value: string; label: string }> {
  const labels = text(input, "options")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const taken = new Set<string>();
  // A kept label keeps its value: answers already given to it still count under it.
  return labels.map((label) => {
    const known = previous.find((o) => o.label === label);
    if (known && !taken.has(known.value)) {
      taken.add(known.value);
      return known;
    }
    return { value: slugId(label, taken, "option"), label };
  });
}

function commitmentsFrom(input: EditorInput): string[] {
  return [
    ...new Set(
      list(input, "commitments")
        .flatMap((c) => c.split(/[\s,;]+/))
        .filter(Boolean),
    ),
  ];
}

function questionFrom(input: EditorInput, id: string, previous?: Question): Question {
  const type = text(input, "type") as QuestionType;
  if (!QUESTION_TYPES.includes(type)) invalid({ type: "Choisissez le type de question." });
  const label = text(input, "label");
  if (!label) invalid({ label: "Saisissez le libellé de la question." });
  const help = text(input, "help");
  const showIfQuestion = text(input, "showIfQuestion");
  const showIfAnswers = text(input, "showIfAnswers")
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (showIfQuestion && showIfAnswers.length === 0)
    invalid({ showIfAnswers: "Indiquez les réponses (valeurs séparées par des virgules) qui font apparaître la question." });
  const base = {
    id,
    label,
    ...(help ? { help } : {}),
    required: text(input, "required") === "true",
    commitments: commitmentsFrom(input),
    ...(showIfQuestion ? { showIf: { question: showIfQuestion, anyOf: showIfAnswers } } : {}),
  };
  const previousOptions = previous && "options" in previous ? previous.options : [];
  switch (type) {
    case "smiley":
      return { ...base, type, levels: text(input, "levels") === "5" ? 5 : 3 };
    case "yes_no": {
      const when = text(input, "satisfiedWhen");
      return { ...base, type, satisfiedWhen: when === "no" || when === "none" ? when : "yes" };
    }
    case "single_choice":
    case "multiple_choice": {
      const options = optionsFrom(input, previousOptions);
      if (options.length < 2) invalid({ options: "Proposez au moins deux réponses, une par ligne." });
      return { ...base, type, options };
    }
    case "text":
      return { ...base, type, maxLength: 2000 };
    default:
      return { ...base, type } as Question;
  }
}

function locate(q: Questionnaire, questionId: string): { section: number; index: number } {
  for (const [s, section] of q.sections.entries()) {
    const index = section.questions.findIndex((x) => x.id === questionId);
    if (index >= 0) return { section: s, index };
  }
  throw new AppError("http.not_found", { message: "Question introuvable dans le brouillon." });
}

export function applyEdit(draft: Questionnaire, input: EditorInput): Questionnaire {
  const q = clone(draft);
  const op = text(input, "op");
  switch (op) {
    case "meta": {
      const title = text(input, "title");
      if (!title) invalid({ title: "Saisissez le titre du questionnaire." });
      q.title = title;
      const introduction = text(input, "introduction");
      const thanks = text(input, "thanks");
      if (introduction) q.introduction = introduction;
      else delete q.introduction;
      if (thanks) q.thanks = thanks;
      else delete q.thanks;
      return q;
    }
    case "add": {
      const taken = new Set(allQuestions(q).map((x) => x.id));
      const id = slugId(text(input, "label"), taken, "question");
      const question = questionFrom(input, id);
      const sectionId = text(input, "section");
      const newTitle = text(input, "newSection");
      if (newTitle || sectionId === "" || !q.sections.some((s) => s.id === sectionId)) {
        const sectionIds = new Set(q.sections.map((s) => s.id));
        if (!newTitle && q.sections.length && sectionId === "") {
          q.sections.at(-1)?.questions.push(question);
          return q;
        }
        q.sections.push({
          id: slugId(newTitle || "section", sectionIds, "section"),
          ...(newTitle ? { title: newTitle } : {}),
          questions: [question],
        });
        return q;
      }
      q.sections.find((s) => s.id === sectionId)?.questions.push(question);
      return q;
    }
    case "update": {
      const at = locate(q, text(input, "question"));
      const section = q.sections[at.section];
      const previous = section?.questions[at.index];
      if (!section || !previous) return q;
      section.questions[at.index] = questionFrom(input, previous.id, previous);
      return q;
    }
    case "delete": {
      const at = locate(q, text(input, "question"));
      const section = q.sections[at.section];
      section?.questions.splice(at.index, 1);
      if (section && section.questions.length === 0) q.sections.splice(at.section, 1);
      return q;
    }
    case "up":
    case "down": {
      // Moves within the questionnaire's order, across a section boundary when at its edge.
      const flat = q.sections.flatMap((s, si) => s.questions.map((question) => ({ question, si })));
      const i = flat.findIndex((x) => x.question.id === text(input, "question"));
      if (i < 0) throw new AppError("http.not_found", { message: "Question introuvable dans le brouillon." });
      const j = op === "up" ? i - 1 : i + 1;
      const a = flat[i];
      const b = flat[j];
      if (!a || !b) return q;
      if (a.si === b.si) {
        flat[i] = b;
        flat[j] = a;
      } else {
        a.si = b.si;
      }
      q.sections.forEach((s, si) => {
        s.questions = flat.filter((x) => x.si === si).map((x) => x.question);
      });
      q.sections = q.sections.filter((s) => s.questions.length > 0);
      return q;
    }
    case "json": {
      try {
        return JSON.parse(text(input, "definition")) as Questionnaire;
      } catch {
        return invalid({ definition: "Le texte n'est pas du JSON valide : vérifiez les guillemets, virgules et accolades." });
      }
    }
    default:
      throw new AppError("http.bad_request");
  }
}
