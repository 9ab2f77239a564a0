import type { Answers } from "./answers.ts";
import { allQuestions, measuresSatisfaction, type Question, type Questionnaire, sentimentOf } from "./questionnaire.ts";
import type { QuestionTally } from "./tally.ts";

/**
 * What one response adds to the rollups, and how rollup rows turn back into tallies. Pure: the
 * repository writes these counts in the response's own statement.
 */

/** The value row that counts respondents who answered a question (a multiple choice ticks several values). */
export const ANSWERED = "*";

export type Measure = "overall" | "recommendation";

export interface MeasureCount {
  measure: Measure;
  satisfied: number;
  neutral: number;
  dissatisfied: number;
  rated8: number;
}

export interface ResponseCounts {
  /** One row per answered question (`*`) and per value given; free text only counts as answered. */
  answers: Array<{ questionId: string; value: string }>;
  measures: MeasureCount[];
}

/**
 * The headline question, the one « overall satisfaction » is read from for the site, the network
 * and the published results: the question whose id is `overall` (both templates have one), or else
 * the first question that measures satisfaction. A questionnaire without opinion question has none.
 */
export function headlineQuestion(q: Questionnaire): Question | undefined {
  const questions = allQuestions(q).filter(measuresSatisfaction);
  return questions.find((x) => x.id === "overall") ?? questions[0];
}

/** The first 0–10 question: the « rated 8 or more » share (Services Publics+ publication) reads it. */
export function recommendationQuestion(q: Questionnaire): Question | undefined {
  return allQuestions(q).find((x) => x.type === "recommendation");
}

function measure(name: Measure, q: Question | undefined, answers: Answers): MeasureCount | undefined {
  const value = q ? answers[q.id] : undefined;
  if (!q || typeof value !== "string") return undefined;
  const s = sentimentOf(q, value);
  return {
    measure: name,
    satisfied: s === "satisfied" ? 1 : 0,
    neutral: s === "neutral" ? 1 : 0,
    dissatisfied: s === "dissatisfied" ? 1 : 0,
    rated8: q.type === "recommendation" && Number(value) >= 8 ? 1 : 0,
  };
}

export function countsOf(q: Questionnaire, answers: Answers): ResponseCounts {
  const rows: ResponseCounts["answers"] = [];
  for (const question of allQuestions(q)) {
    const value = answers[question.id];
    if (value === undefined) continue;
    rows.push({ questionId: question.id, value: ANSWERED });
    if (question.type === "text") continue;
    for (const v of new Set(Array.isArray(value) ? value : [value])) rows.push({ questionId: question.id, value: v });
  }
  const measures = [measure("overall", headlineQuestion(q), answers), measure("recommendation", recommendationQuestion(q), answers)];
  return { answers: rows, measures: measures.filter((m): m is MeasureCount => m !== undefined) };
}

/** Rollup rows of one question back into a tally: `*` is the respondents, the rest the values. */
export function tallyOf(rows: Iterable<{ value: string; answers: number }>): QuestionTally {
  const tally: QuestionTally = { answered: 0, counts: {} };
  for (const r of rows) {
    if (r.value === ANSWERED) tally.answered += r.answers;
    else tally.counts[r.value] = (tally.counts[r.value] ?? 0) + r.answers;
  }
  return tally;
}
