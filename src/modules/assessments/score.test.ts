import { describe, expect, it } from "vitest";
import { commitmentScores, overallScore, scoreChange } from "./score.ts";

describe("self-assessment scores", () => {
  it("counts a met requirement fully, a partly met one half, leaves out the not applicable", () => {
    const scores = commitmentScores([
      { commitmentId: "a", status: "met" },
      { commitmentId: "a", status: "partly" },
      { commitmentId: "a", status: "not_met" },
      { commitmentId: "a", status: "not_applicable" },
      { commitmentId: "b", status: "met" },
      { commitmentId: "b", status: null },
    ]);
    // (1 + 0.5 + 0) / 3 = 50 %
    expect(scores.get("a")).toEqual({ score: 50, answered: 4, total: 4 });
    expect(scores.get("b")).toEqual({ score: 100, answered: 1, total: 2 });
  });

  it("has no score for a commitment with nothing applicable answered", () => {
    const scores = commitmentScores([
      { commitmentId: "a", status: "not_applicable" },
      { commitmentId: "b", status: null },
    ]);
    expect(scores.get("a")?.score).toBeNull();
    expect(scores.get("b")?.score).toBeNull();
    expect(overallScore(scores.values())).toBeNull();
  });

  it("weighs every commitment the same in the overall score, one decimal", () => {
    const scores = commitmentScores([
      { commitmentId: "a", status: "met" },
      { commitmentId: "b", status: "met" },
      { commitmentId: "b", status: "not_met" },
      { commitmentId: "b", status: "not_met" },
    ]);
    // a = 100, b = 33.3 → 66.7 (not 50, the mean of the four requirements)
    expect(overallScore(scores.values())).toBe(66.7);
  });

  it("gives the change since last year in points", () => {
    expect(scoreChange(72.5, 60)).toBe(12.5);
    expect(scoreChange(50, null)).toBeNull();
    expect(scoreChange(undefined, 40)).toBeNull();
  });
});
