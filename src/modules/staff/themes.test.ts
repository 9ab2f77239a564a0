import { describe, expect, it } from "vitest";
import { TRAINING_THEMES, trainedShares } from "./themes.ts";

describe("training themes", () => {
  it("has the seven themes of seed 004", () => {
    expect(TRAINING_THEMES).toHaveLength(7);
  });
  it("gives per theme the share of staff trained, none when nobody is on staff", () => {
    const shares = trainedShares(8, { posture: 6, digital: 2 });
    expect(shares.posture).toBe(0.75);
    expect(shares.digital).toBe(0.25);
    expect(shares.regulation).toBe(0);
    expect(trainedShares(0, { posture: 1 }).posture).toBeNull();
  });
});
