import { describe, expect, it } from "vitest";
import { daySpans } from "./calls.service.ts";

describe("the slices of a recording on the embedded engine", () => {
  it("groups consecutive days up to the size, never splits a day, and covers every day once", () => {
    const days = [
      { day: "2026-03-02", calls: 400 },
      { day: "2026-03-03", calls: 500 },
      { day: "2026-03-04", calls: 300 },
      { day: "2026-03-05", calls: 2_500 },
      { day: "2026-03-06", calls: 100 },
    ];
    expect(daySpans(days, 1_000)).toEqual([
      { from: "2026-03-02", to: "2026-03-03" },
      { from: "2026-03-04", to: "2026-03-04" },
      // A day larger than a slice is a slice of its own.
      { from: "2026-03-05", to: "2026-03-05" },
      { from: "2026-03-06", to: "2026-03-06" },
    ]);
    expect(daySpans(days, 10_000)).toEqual([{ from: "2026-03-02", to: "2026-03-06" }]);
  });

  it("gives one span even with nothing staged, so that the last transaction marks the import recorded", () => {
    expect(daySpans([], 1_000)).toHaveLength(1);
  });
});
