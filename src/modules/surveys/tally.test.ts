import { describe, expect, it } from "vitest";
import type { Answers } from "./answers.ts";
import { questionnaireSchema } from "./questionnaire.ts";
import {
  distribution,
  mergeTallies,
  monthlyTrend,
  nextMonth,
  sentimentCounts,
  shareRatedAtLeast,
  summarise,
  tallyAnswers,
  tallyByMonth,
} from "./tally.ts";

const [scale, nps, hours, comment] =
  questionnaireSchema.parse({
    title: "T",
    sections: [
      {
        id: "s",
        questions: [
          { id: "overall", type: "scale", label: "Satisfait ?" },
          { id: "nps", type: "recommendation", label: "Recommanderiez-vous ?" },
          {
            id: "hours",
            type: "multiple_choice",
            label: "Horaires",
            options: [
              { value: "early", label: "Tôt" },
              { value: "late", label: "Tard" },
            ],
          },
          { id: "comment", type: "text", label: "Un mot ?" },
        ],
      },
    ],
  }).sections[0]?.questions ?? [];
if (!scale || !nps || !hours || !comment) throw new Error("fixture questions expected");

describe("tallies of answers", () => {
  it("count answers per value, a multiple choice once per respondent", () => {
    expect(tallyAnswers(["5", "4", undefined, "5"])).toEqual({ answered: 3, counts: { "5": 2, "4": 1 } });
    expect(tallyAnswers([["early", "late"], ["late"]])).toEqual({ answered: 2, counts: { early: 1, late: 2 } });
    expect(mergeTallies([tallyAnswers(["1"]), tallyAnswers(["1", "2"])])).toEqual({ answered: 3, counts: { "1": 2, "2": 1 } });
  });

  it("give the distribution with every answer offered, empty ones included", () => {
    const rows = distribution(scale, tallyAnswers(["5", "5", "4", "1"]));
    expect(rows.map((r) => [r.value, r.label, r.count, r.share])).toEqual([
      ["1", "Très insatisfait", 1, 0.25],
      ["2", "Insatisfait", 0, 0],
      ["3", "Ni satisfait ni insatisfait", 0, 0],
      ["4", "Satisfait", 1, 0.25],
      ["5", "Très satisfait", 2, 0.5],
    ]);
    expect(distribution(hours, tallyAnswers([["early", "late"], ["late"]])).map((r) => r.share)).toEqual([0.5, 1]);
    expect(distribution(comment, tallyAnswers(["Bien", "Lent"]))).toEqual([]);
  });

  it("sort answers into satisfied, neutral and dissatisfied", () => {
    expect(sentimentCounts(scale, tallyAnswers(["5", "4", "3", "2", "1", "1"]))).toEqual({ satisfied: 2, neutral: 1, dissatisfied: 3 });
  });
});

describe("the 0–10 question", () => {
  // 10 answers: 10, 9, 9, 8, 8, 7, 6, 5, 3, 0
  const tally = tallyAnswers(["10", "9", "9", "8", "8", "7", "6", "5", "3", "0"]);

  it("gives the share rated 8/10 or more (issue #8) with its Wilson interval", () => {
    // 5 out of 10: centre 0.5, half = (1.96 / 1.38415) · √(0.025 + 0.0096) = 0.26334
    const share = shareRatedAtLeast(nps, tally);
    expect(share).toMatchObject({ value: 0.5, n: 10, low: expect.closeTo(0.23659, 4), high: expect.closeTo(0.76341, 4) });
    expect(share?.warning?.code).toBe("small_sample");
    expect(shareRatedAtLeast(scale, tally)).toBeNull();
  });

  it("keeps the promoter rule for net satisfaction: 3 promoters − 4 detractors out of 10", () => {
    expect(summarise(nps, tally).net?.value).toBeCloseTo(-0.1, 10);
    expect(summarise(nps, tally).satisfaction?.value).toBeCloseTo(0.3, 10);
  });
});

describe("a question's summary", () => {
  it("has no satisfaction for a question that is not an opinion", () => {
    expect(summarise(hours, tallyAnswers([["early"]]))).toMatchObject({ answered: 1, satisfaction: null, net: null, ratedAtLeast8: null });
  });
});

describe("the monthly trend", () => {
  const responses: { receivedOn: string; answers: Answers }[] = [
    { receivedOn: "2024-11-03", answers: { overall: "5" } },
    { receivedOn: "2024-11-28", answers: { overall: "2" } },
    { receivedOn: "2025-02-10", answers: { overall: "4" } },
    { receivedOn: "2025-02-11", answers: { nps: "9" } },
  ];

  it("tallies by month of the local date and shows the months without answers", () => {
    const months = tallyByMonth("overall", responses);
    expect(months.map((m) => [m.month, m.tally.answered])).toEqual([
      ["2024-11", 2],
      ["2025-02", 1],
    ]);
    const trend = monthlyTrend(scale, months);
    expect(trend.map((p) => [p.month, p.answered, p.satisfaction?.value ?? null])).toEqual([
      ["2024-11", 2, 0.5],
      ["2024-12", 0, null],
      ["2025-01", 0, null],
      ["2025-02", 1, 1],
    ]);
    expect(trend[0]?.net?.value).toBe(0);
  });

  it("merges tallies given twice for a month (two sites) and refuses a malformed month", () => {
    const t = tallyAnswers(["5"]);
    expect(
      monthlyTrend(scale, [
        { month: "2025-03", tally: t },
        { month: "2025-03", tally: t },
      ])[0]?.answered,
    ).toBe(2);
    expect(() => monthlyTrend(scale, [{ month: "2025-13", tally: t }])).toThrow(RangeError);
    expect(monthlyTrend(scale, [])).toEqual([]);
    expect(nextMonth("2024-12")).toBe("2025-01");
  });
});
