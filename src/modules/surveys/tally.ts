import type { AnswerValue } from "./answers.ts";
import { choicesOf, type Question, sentimentOf } from "./questionnaire.ts";
import { type Estimate, netSatisfaction, rateEstimate, type SentimentCounts, satisfactionRate } from "./statistics.ts";

/**
 * How many gave each answer to one question. The shape a rollup row can hold (per month, site,
 * channel and question version), so every indicator below is computed from counts, never from
 * raw responses. Pure.
 */
export interface QuestionTally {
  /** Respondents who answered the question (a multiple choice counts once per respondent). */
  answered: number;
  /** Per answer value ("4", "yes", an option); a multiple choice counts each option ticked. */
  counts: Record<string, number>;
}

export function tallyAnswers(values: Iterable<AnswerValue | undefined>): QuestionTally {
  const tally: QuestionTally = { answered: 0, counts: {} };
  for (const value of values) {
    if (value === undefined) continue;
    tally.answered++;
    // Free text is counted, not kept: comments are read one by one, not tallied.
    for (const v of Array.isArray(value) ? value : [value]) tally.counts[v] = (tally.counts[v] ?? 0) + 1;
  }
  return tally;
}

export function mergeTallies(tallies: Iterable<QuestionTally>): QuestionTally {
  const out: QuestionTally = { answered: 0, counts: {} };
  for (const t of tallies) {
    out.answered += t.answered;
    for (const [v, n] of Object.entries(t.counts)) out.counts[v] = (out.counts[v] ?? 0) + n;
  }
  return out;
}

export function sentimentCounts(q: Question, tally: QuestionTally): SentimentCounts {
  const c: SentimentCounts = { satisfied: 0, neutral: 0, dissatisfied: 0 };
  for (const [value, n] of Object.entries(tally.counts)) {
    const s = sentimentOf(q, value);
    if (s) c[s] += n;
  }
  return c;
}

/** Share of 0–10 ratings at `threshold` or more (8 by default, as issue #8 reports it). */
export function shareRatedAtLeast(q: Question, tally: QuestionTally, threshold = 8): Estimate | null {
  if (q.type !== "recommendation") return null;
  const high = Object.entries(tally.counts).reduce((sum, [v, n]) => (Number(v) >= threshold ? sum + n : sum), 0);
  return rateEstimate(high, tally.answered);
}

export interface DistributionRow {
  value: string;
  label: string;
  count: number;
  /** Of the respondents who answered; for a multiple choice the shares add up to more than 100 %. */
  share: number;
}

/** Every answer offered, in display order, with zeros: a chart must show the empty bars too. */
export function distribution(q: Question, tally: QuestionTally): DistributionRow[] {
  return (choicesOf(q) ?? []).map((c) => {
    const count = tally.counts[c.value] ?? 0;
    return { ...c, count, share: tally.answered ? count / tally.answered : 0 };
  });
}

export interface QuestionSummary {
  answered: number;
  distribution: DistributionRow[];
  satisfaction: Estimate | null;
  net: Estimate | null;
  ratedAtLeast8: Estimate | null;
}

export function summarise(q: Question, tally: QuestionTally): QuestionSummary {
  return {
    ...sentimentSummary(tally.answered, sentimentCounts(q, tally)),
    distribution: distribution(q, tally),
    ratedAtLeast8: shareRatedAtLeast(q, tally),
  };
}

/** The rates of a question known only by its sentiments (the per-site rollup keeps no distribution): none without an opinion given. */
export function sentimentSummary(answered: number, sentiments: SentimentCounts): QuestionSummary {
  const opinion = sentiments.satisfied + sentiments.neutral + sentiments.dissatisfied > 0;
  return {
    answered,
    distribution: [],
    satisfaction: opinion ? satisfactionRate(sentiments) : null,
    net: opinion ? netSatisfaction(sentiments) : null,
    ratedAtLeast8: null,
  };
}

export interface MonthPoint {
  /** YYYY-MM */
  month: string;
  answered: number;
  satisfaction: Estimate | null;
  net: Estimate | null;
}

/**
 * One point per month from the first to the last month given, months without answers included
 * (with null rates), so a chart's axis does not silently skip a month.
 */
export function monthlyTrend(q: Question, months: { month: string; tally: QuestionTally }[]): MonthPoint[] {
  const byMonth = new Map<string, QuestionTally[]>();
  for (const m of months) {
    // A malformed month would never be reached by counting up from the first one.
    if (!MONTH.test(m.month)) throw new RangeError(`Mois invalide : ${m.month} (attendu AAAA-MM).`);
    byMonth.set(m.month, [...(byMonth.get(m.month) ?? []), m.tally]);
  }
  const sorted = [...byMonth.keys()].sort();
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last) return [];
  const out: MonthPoint[] = [];
  for (let month = first; month <= last; month = nextMonth(month)) {
    const tally = mergeTallies(byMonth.get(month) ?? []);
    const s = sentimentCounts(q, tally);
    out.push({ month, answered: tally.answered, satisfaction: satisfactionRate(s), net: netSatisfaction(s) });
  }
  return out;
}

/** Tallies one question's answers by month of the local date they were received on (YYYY-MM-DD). */
export function tallyByMonth(
  questionId: string,
  responses: Iterable<{ receivedOn: string; answers: Record<string, AnswerValue> }>,
): { month: string; tally: QuestionTally }[] {
  const values = new Map<string, AnswerValue[]>();
  for (const r of responses) {
    const value = r.answers[questionId];
    if (value === undefined) continue;
    const month = r.receivedOn.slice(0, 7);
    const list = values.get(month);
    if (list) list.push(value);
    else values.set(month, [value]);
  }
  return [...values].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, list]) => ({ month, tally: tallyAnswers(list) }));
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function nextMonth(month: string): string {
  const [year = 0, m = 0] = month.split("-").map(Number);
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, "0")}`;
}
