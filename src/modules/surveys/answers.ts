import { plural } from "../../ui/format.ts";
import { allQuestions, choicesOf, type Question, type Questionnaire } from "./questionnaire.ts";

/**
 * One submitted response checked against the questionnaire version it was answered on. Pure.
 *
 * Answers are stored in their submitted text form ("4", "yes", an option's value), the same form
 * show-if conditions and tallies use, so nothing is converted back and forth; a multiple choice
 * is a list of option values.
 */
export type AnswerValue = string | string[];
export type Answers = Record<string, AnswerValue>;

export interface ResponseError {
  /** The question the message belongs to, or null for the response as a whole. */
  questionId: string | null;
  message: string;
}

export type ResponseCheck = { ok: true; answers: Answers } | { ok: false; errors: ResponseError[]; answers: Answers };

/**
 * What a form (`q3=4`, a repeated key for each box ticked) or a JSON body brings: a string, a list
 * of strings, or a number from the API. Unknown keys (the CSRF token…) are ignored.
 */
export type ResponseInput = URLSearchParams | Record<string, unknown>;

export const REQUIRED_MESSAGE = "Veuillez répondre à cette question.";
export const EMPTY_RESPONSE_MESSAGE = "Répondez à au moins une question pour envoyer votre avis.";

/**
 * Questions run in order: a question is shown when its condition holds on the answers already
 * accepted. A hidden question's answer is dropped, not refused: without JavaScript the public form
 * shows every question at once (with "si vous avez répondu …"), so a respondent may well fill one
 * in and then change the earlier answer; refusing would punish them for the page's limits.
 */
export function checkResponse(questionnaire: Questionnaire, input: ResponseInput): ResponseCheck {
  const raw = readInput(input);
  const answers: Answers = {};
  const errors: ResponseError[] = [];
  for (const question of allQuestions(questionnaire)) {
    if (!isShown(question, answers)) continue;
    const values = raw.get(question.id) ?? [];
    if (values === "unreadable") {
      errors.push({ questionId: question.id, message: "Réponse illisible." });
      continue;
    }
    const result = parseAnswer(question, values);
    if (result.error) errors.push({ questionId: question.id, message: result.error });
    else if (result.value !== undefined) answers[question.id] = result.value;
    else if (question.required) errors.push({ questionId: question.id, message: REQUIRED_MESSAGE });
  }
  if (!errors.length && Object.keys(answers).length === 0) errors.push({ questionId: null, message: EMPTY_RESPONSE_MESSAGE });
  return errors.length ? { ok: false, errors, answers } : { ok: true, answers };
}

/** Whether a question is shown, given the answers to the questions before it. */
export function isShown(question: Question, answers: Answers): boolean {
  if (!question.showIf) return true;
  const given = answers[question.showIf.question];
  if (given === undefined) return false;
  const anyOf = question.showIf.anyOf;
  return (Array.isArray(given) ? given : [given]).some((v) => anyOf.includes(v));
}

/** Blank strings count as no answer: an untouched text area or an empty select still sends its key. */
function readInput(input: ResponseInput): Map<string, string[] | "unreadable"> {
  const out = new Map<string, string[] | "unreadable">();
  const entries: [string, unknown][] =
    input instanceof URLSearchParams ? [...new Set(input.keys())].map((k) => [k, input.getAll(k)]) : Object.entries(input);
  for (const [key, value] of entries) {
    const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
    const texts = list.map((v) => (typeof v === "string" ? v.trim() : typeof v === "number" && Number.isFinite(v) ? String(v) : null));
    if (texts.some((t) => t === null)) out.set(key, "unreadable");
    else
      out.set(
        key,
        texts.filter((t): t is string => Boolean(t)),
      );
  }
  return out;
}

interface Parsed {
  value?: AnswerValue;
  error?: string;
}

function parseAnswer(question: Question, values: string[]): Parsed {
  if (values.length === 0) return {};
  if (question.type === "multiple_choice") {
    const allowed = question.options.map((o) => o.value);
    if (values.some((v) => !allowed.includes(v))) return { error: "Choisissez parmi les réponses proposées." };
    // Option order, without repeats: the same ticked boxes always give the same stored answer.
    return { value: allowed.filter((v) => values.includes(v)) };
  }
  if (values.length > 1) return { error: "Une seule réponse est attendue." };
  const [value = ""] = values;
  if (question.type === "text") {
    const text = value.replace(/\r\n?/g, "\n");
    return text.length > question.maxLength
      ? { error: `Votre réponse dépasse ${plural(question.maxLength, "caractère")}.` }
      : { value: text };
  }
  const choices = choicesOf(question) ?? [];
  return choices.some((c) => c.value === value) ? { value } : { error: outOfRange(question) };
}

function outOfRange(question: Question): string {
  switch (question.type) {
    case "scale":
      return "Choisissez une note de 1 à 5.";
    case "smiley":
      return `Choisissez un des ${question.levels} visages.`;
    case "recommendation":
      return "Choisissez une note de 0 à 10.";
    case "yes_no":
      return "Répondez par oui ou par non.";
    default:
      return "Choisissez une des réponses proposées.";
  }
}
