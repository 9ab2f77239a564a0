import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { CHANNEL_LABELS, type Channel } from "../frameworks/channels.ts";
import type { IndicatorBatchSource, IndicatorSource, IndicatorValue, Period } from "../indicators/indicator.ts";
import { getOrganisation, organisationsInScope } from "../organisations/organisations.service.ts";
import type { Answers } from "./answers.ts";
import { getSurvey, type Survey } from "./definitions.service.ts";
import { measuresSatisfaction, type Question, type Questionnaire } from "./questionnaire.ts";
import { dayIn } from "./responses.service.ts";
import { ANSWERED, countsOf, headlineQuestion, tallyOf } from "./rollup.ts";
import { compareRates, type Difference, netSatisfaction, rateEstimate, type SentimentCounts, satisfactionRate } from "./statistics.ts";
import * as repo from "./surveys.repository.ts";
import {
  type MonthPoint,
  monthlyTrend,
  nextMonth,
  type QuestionSummary,
  type QuestionTally,
  sentimentCounts,
  sentimentSummary,
  summarise,
} from "./tally.ts";

/** Survey results, and satisfaction up the tree as indicators (part of the surveys module's service, re-exported by surveys.service.ts). */

// ---------------------------------------------------------------- results

/** Map.groupBy arrives with Node 21; Vigie runs on Node 20. */
function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}

export interface QuestionResult {
  question: Question;
  /** Section title, to group the page. */
  section: string | undefined;
  opinion: boolean;
  summary: QuestionSummary;
  months: MonthPoint[];
}

export interface GroupResult {
  key: string;
  label: string;
  summary: QuestionSummary;
  /** Against all the other groups together, when the headline question is an opinion. */
  difference: Difference | null;
}

export interface ResultsFilter {
  from: string;
  to: string;
  site?: string | undefined;
  channel?: string | undefined;
}

export interface SurveyResults {
  survey: Survey;
  filter: ResultsFilter;
  responses: number;
  headline: Question | undefined;
  questions: QuestionResult[];
  /** The headline question per channel and per site, each against the rest. */
  byChannel: GroupResult[];
  bySite: GroupResult[];
  sites: Array<{ id: string; name: string }>;
  invitations: { sent: number; used: number };
}

/** January of last year to today: enough for a trend, and the default period of the results page. */
export function defaultPeriod(today: string): { from: string; to: string } {
  return { from: `${Number(today.slice(0, 4)) - 1}-01-01`, to: today };
}

/**
 * Per question: the distribution, the satisfaction rate and net satisfaction with their intervals,
 * one point per month; the headline question compared across channels and sites. The survey's results
 * are read from its rollup (every site together, per month and channel), the comparison between sites
 * from the per-site rollup of the headline question, and one site's results from that site's own answers
 * (migration 0039): no read grows with the number of sites but the list of sites itself. Question ids are
 * kept across versions, so every version's answers are pooled under the current wording.
 */
export async function surveyResults(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  filter?: Partial<ResultsFilter>,
): Promise<SurveyResults> {
  const survey = await getSurvey(db, orgId, surveyId);
  const org = await getOrganisation(db, orgId);
  const period = {
    ...defaultPeriod(dayIn(org.timeZone, new Date())),
    ...Object.fromEntries(Object.entries(filter ?? {}).filter(([, v]) => v)),
  };
  const applied: ResultsFilter = {
    from: period.from,
    to: period.to,
    site: filter?.site || undefined,
    channel: filter?.channel || undefined,
  };
  // Whole months, as the rollups count them: one site's answers are read over the same months.
  const months = { fromMonth: `${applied.from.slice(0, 7)}-01`, toMonth: `${applied.to.slice(0, 7)}-01` };
  const all = await repo.answerRollup(db, orgId, surveyId, months);
  const rows = applied.site
    ? countedRows(
        survey.questionnaire,
        await repo.siteAnswers(db, orgId, surveyId, {
          siteId: applied.site,
          from: months.fromMonth,
          before: `${nextMonth(applied.to.slice(0, 7))}-01`,
          channel: applied.channel,
        }),
      )
    : all.filter((r) => !applied.channel || r.channel === applied.channel);
  const byQuestion = groupBy(rows, (r) => r.questionId);
  const questions: QuestionResult[] = [];
  for (const section of survey.questionnaire.sections) {
    for (const question of section.questions) {
      const qRows = byQuestion.get(question.id) ?? [];
      const summary = summarise(question, tallyOf(qRows));
      const opinion = measuresSatisfaction(question);
      const monthly = [...groupBy(qRows, (r) => r.month)].map(([month, list]) => ({ month, tally: tallyOf(list) }));
      questions.push({ question, section: section.title, opinion, summary, months: opinion ? monthlyTrend(question, monthly) : [] });
    }
  }
  const headline = headlineQuestion(survey.questionnaire);
  const headRows = headline ? all.filter((r) => r.questionId === headline.id) : [];
  const headTally = tallyOf(headRows);
  const byChannel: GroupResult[] = [];
  if (headline) {
    const grouped = groupBy(headRows, (r) => r.channel);
    for (const [key, list] of grouped) {
      const tally = tallyOf(list);
      // « The rest » is everything minus the group: one pass over the rows, not one per group.
      const rest = tallyMinus(headTally, tally);
      const difference = grouped.size > 1 ? compareRates(sentimentCounts(headline, tally), sentimentCounts(headline, rest)) : null;
      byChannel.push({ key, label: CHANNEL_LABELS[key as Channel] ?? key, summary: summarise(headline, tally), difference });
    }
  }
  // The sites that have answers in the period, in one read whatever their number (issue #13).
  const perSite = await repo.siteRollup(db, orgId, surveyId, months);
  const sites = perSite.map((s) => ({ id: s.siteId, name: s.name }));
  // The site chosen stays offered when it has no answer in the period, if it is one of the survey's own: the name of
  // an organisation elsewhere is not this page's to show.
  const chosen = applied.site;
  if (chosen && !sites.some((s) => s.id === chosen)) {
    const site = await getOrganisation(db, chosen).catch(() => undefined);
    if (site?.path.includes(orgId)) sites.push({ id: chosen, name: site.name });
  }
  const bySite: GroupResult[] = [];
  if (headline) {
    const total = perSite.reduce((t, s) => addSentiments(t, s), { answered: 0, satisfied: 0, neutral: 0, dissatisfied: 0 });
    for (const s of perSite) {
      const rest = subtractSentiments(total, s);
      const difference = perSite.length > 1 ? compareRates(s, rest) : null;
      bySite.push({ key: s.siteId, label: s.name, summary: sentimentSummary(s.answered, s), difference });
    }
  }
  const byLabel = (a: { label: string }, b: { label: string }) => a.label.localeCompare(b.label, "fr");
  return {
    survey,
    filter: applied,
    responses: questions.reduce((max, q) => Math.max(max, q.summary.answered), 0) && countResponses(rows),
    headline,
    questions,
    byChannel: byChannel.sort(byLabel),
    bySite: bySite.sort(byLabel),
    sites: sites.sort((a, b) => a.name.localeCompare(b.name, "fr")),
    invitations: await repo.invitationCounts(db, orgId, surveyId),
  };
}

type Counted = Pick<repo.AnswerRollupRow, "month" | "channel" | "questionId" | "value" | "answers">;

/** One site's answers counted as the fold counts them (rollup.ts `countsOf`), grouped by month, channel and value. */
function countedRows(questionnaire: Questionnaire, answers: Array<{ answeredOn: string; channel: string; answers: Answers }>): Counted[] {
  const out = new Map<string, Counted>();
  for (const a of answers) {
    const month = a.answeredOn.slice(0, 7);
    for (const { questionId, value } of countsOf(questionnaire, a.answers).answers) {
      const key = `${month} ${a.channel} ${questionId} ${value}`;
      const row = out.get(key);
      if (row) row.answers++;
      else out.set(key, { month, channel: a.channel, questionId, value, answers: 1 });
    }
  }
  return [...out.values()];
}

type Sentiments = SentimentCounts & { answered: number };

const addSentiments = (a: Sentiments, b: Sentiments): Sentiments => ({
  answered: a.answered + b.answered,
  satisfied: a.satisfied + b.satisfied,
  neutral: a.neutral + b.neutral,
  dissatisfied: a.dissatisfied + b.dissatisfied,
});

const subtractSentiments = (a: Sentiments, b: Sentiments): Sentiments => ({
  answered: a.answered - b.answered,
  satisfied: a.satisfied - b.satisfied,
  neutral: a.neutral - b.neutral,
  dissatisfied: a.dissatisfied - b.dissatisfied,
});

function tallyMinus(total: QuestionTally, part: QuestionTally): QuestionTally {
  const counts: Record<string, number> = {};
  for (const [value, n] of Object.entries(total.counts)) counts[value] = n - (part.counts[value] ?? 0);
  return { answered: total.answered - part.answered, counts };
}

/**
 * Responses in the rollup rows: every response answers at least one question, but not always the
 * same one. The headline question is required in both templates; otherwise, the most answered
 * question is a lower bound, which is what the page says.
 */
function countResponses(rows: Counted[]): number {
  const perQuestion = new Map<string, number>();
  for (const r of rows) if (r.value === ANSWERED) perQuestion.set(r.questionId, (perQuestion.get(r.questionId) ?? 0) + r.answers);
  return Math.max(0, ...perQuestion.values());
}

// ---------------------------------------------------------------- satisfaction up the tree

export interface SatisfactionFigures {
  overall: SentimentCounts & { answered: number };
  recommendation: SentimentCounts & { answered: number; rated8: number };
}

function sumMeasures(rows: repo.SatisfactionRollupRow[]): SatisfactionFigures {
  const zero = () => ({ answered: 0, satisfied: 0, neutral: 0, dissatisfied: 0, rated8: 0 });
  const out = { overall: zero(), recommendation: zero() };
  for (const r of rows) {
    const m = r.measure === "overall" ? out.overall : out.recommendation;
    m.answered += r.answered;
    m.satisfied += r.satisfied;
    m.neutral += r.neutral;
    m.dissatisfied += r.dissatisfied;
    m.rated8 += r.rated8;
  }
  return out;
}

const monthSpan = (from: string, to: string) => [`${from.slice(0, 7)}-01`, `${to.slice(0, 7)}-01`] as const;

/** Headline satisfaction of an organisation's subtree, all surveys and channels together, and per channel. */
export async function satisfactionOf(
  db: Kysely<DB>,
  orgId: string,
  period: { from: string; to: string },
): Promise<{ total: SatisfactionFigures; byChannel: Map<string, SatisfactionFigures>; byMonth: Map<string, SatisfactionFigures> }> {
  const rows = await repo.satisfactionRollup(db, [orgId], ...monthSpan(period.from, period.to));
  return {
    total: sumMeasures(rows),
    byChannel: new Map([...groupBy(rows, (r) => r.channel)].map(([k, v]) => [k, sumMeasures(v)])),
    byMonth: new Map([...groupBy(rows, (r) => r.month)].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sumMeasures(v)])),
  };
}

/** The same for each child of a node: the network compares its sites (each row holds the child's subtree), in one read. */
export async function satisfactionOfChildren(
  db: Kysely<DB>,
  orgId: string,
  period: { from: string; to: string },
): Promise<Array<{ orgId: string; name: string; figures: SatisfactionFigures }>> {
  const children = await organisationsInScope(db, { of: orgId, depth: "children" });
  const rows = await repo.satisfactionRollupInScope(db, { of: orgId, depth: "children" }, ...monthSpan(period.from, period.to));
  const grouped = groupBy(rows, (r) => r.orgId);
  return children.map((c) => ({ orgId: c.id, name: c.name, figures: sumMeasures(grouped.get(c.id) ?? []) }));
}

const SATISFACTION_COMMITMENTS = ["sp+2023/7", "sp+2023/6", "sp+2021/7", "sp+2021/6", "marianne-2016/10", "marianne-2008/14"];
const ONLINE_COMMITMENTS = ["sp+2021/2", "sp+2021/6", "marianne-2016/2"];

/**
 * Satisfaction figures in the shared indicator shape, for the dashboard, the annual review and the
 * published results: overall satisfaction and net satisfaction (all channels, then per channel),
 * and the share of online procedures rated 8/10 or more (Services Publics+ publication).
 */
export const surveyIndicatorSource: IndicatorSource = async (db, orgId, period: Period): Promise<IndicatorValue[]> => {
  const { total, byChannel } = await satisfactionOf(db, orgId, period);
  return surveyValues(total, byChannel);
};

/** The same for every organisation of a scope: one read of their satisfaction rollup rows, grouped here. */
export const surveyIndicatorBatch: IndicatorBatchSource = async (db, scope, period) => {
  const rows = await repo.satisfactionRollupInScope(db, scope, ...monthSpan(period.from, period.to));
  const out = new Map<string, IndicatorValue[]>();
  for (const [orgId, list] of groupBy(rows, (r) => r.orgId)) {
    const byChannel = new Map([...groupBy(list, (r) => r.channel)].map(([k, v]) => [k, sumMeasures(v)]));
    out.set(orgId, surveyValues(sumMeasures(list), byChannel));
  }
  return out;
};

function surveyValues(total: SatisfactionFigures, byChannel: Map<string, SatisfactionFigures>): IndicatorValue[] {
  const out: IndicatorValue[] = [];
  const pair = (f: SatisfactionFigures, channel: Channel | null) => {
    if (f.overall.answered === 0) return;
    const rate = satisfactionRate(f.overall);
    const net = netSatisfaction(f.overall);
    out.push({
      key: "surveys.satisfaction",
      label: "Satisfaction globale",
      unit: "share",
      value: rate?.value ?? null,
      low: rate?.low ?? null,
      high: rate?.high ?? null,
      target: null,
      better: "higher",
      sample: f.overall.answered,
      commitments: SATISFACTION_COMMITMENTS,
      channel,
    });
    out.push({
      key: "surveys.net_satisfaction",
      label: "Satisfaction nette (satisfaits moins insatisfaits)",
      unit: "points",
      value: net ? net.value * 100 : null,
      low: net ? net.low * 100 : null,
      high: net ? net.high * 100 : null,
      target: null,
      better: "higher",
      sample: f.overall.answered,
      commitments: SATISFACTION_COMMITMENTS,
      channel,
    });
  };
  pair(total, null);
  for (const [channel, figures] of byChannel) pair(figures, channel as Channel);
  const online = byChannel.get("web")?.recommendation;
  if (online && online.answered > 0) {
    const share = rateEstimate(online.rated8, online.answered);
    out.push({
      key: "surveys.online_8_or_more",
      label: "Démarches en ligne notées 8/10 ou plus",
      unit: "share",
      value: share?.value ?? null,
      low: share?.low ?? null,
      high: share?.high ?? null,
      target: null,
      better: "higher",
      sample: online.answered,
      commitments: ONLINE_COMMITMENTS,
      channel: "web",
    });
  }
  return out;
}
