import { describe, expect, it } from "vitest";
import { presets, previousPeriod } from "../indicators/period.ts";
import { formatValue, trafficLight, trend } from "../indicators/traffic-light.ts";

describe("traffic light", () => {
  it("is green on target, amber within the tolerance, red beyond", () => {
    const share = (value: number) => trafficLight({ value, target: 0.9, unit: "share", better: "higher" });
    expect([share(0.95), share(0.9), share(0.86), share(0.85), share(0.8)]).toEqual(["green", "green", "amber", "amber", "red"]);
    const days = (value: number) => trafficLight({ value, target: 10, unit: "days", better: "lower" });
    expect([days(8), days(11.5), days(12.5)]).toEqual(["green", "amber", "red"]);
  });

  it("judges a figure without target against its unit's default, and leaves counts alone", () => {
    expect(trafficLight({ value: 0.82, target: null, unit: "share", better: "higher" })).toBe("red");
    expect(trafficLight({ value: 25, target: null, unit: "points", better: "higher" })).toBe("amber");
    expect(trafficLight({ value: 300, target: null, unit: "count", better: "higher" })).toBe("none");
    expect(trafficLight({ value: null, target: 1, unit: "share", better: "higher" })).toBe("none");
  });

  it("tells a better trend from a worse one, whichever way is good", () => {
    expect(trend(0.9, 0.8, "share", "higher")).toMatchObject({ direction: "up", better: true });
    expect(trend(12, 8, "days", "lower")).toMatchObject({ direction: "up", better: false });
    expect(trend(0.805, 0.8, "share", "higher")).toMatchObject({ direction: "flat", better: null });
    expect(trend(null, 0.8, "share", "higher").direction).toBe("none");
  });

  it("writes figures the French way", () => {
    expect(formatValue(0.875, "share")).toBe("87,5\u202f%");
    expect(formatValue(12, "points")).toBe("+12");
    expect(formatValue(null, "share")).toBe("—");
  });
});

describe("periods", () => {
  it("compares whole months with the months before, other spans with as many days before", () => {
    expect(previousPeriod({ from: "2026-01-01", to: "2026-12-31" })).toEqual({ from: "2025-01-01", to: "2025-12-31" });
    expect(previousPeriod({ from: "2026-04-01", to: "2026-06-30" })).toEqual({ from: "2026-01-01", to: "2026-03-31" });
    expect(previousPeriod({ from: "2026-03-01", to: "2026-03-31" })).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    expect(previousPeriod({ from: "2026-03-10", to: "2026-03-19" })).toEqual({ from: "2026-02-28", to: "2026-03-09" });
  });

  it("offers the usual periods", () => {
    const p = Object.fromEntries(presets("2026-11-23").map((x) => [x.id, x.period]));
    expect(p["12m"]).toEqual({ from: "2025-11-01", to: "2026-10-31" });
    expect(p["last-quarter"]).toEqual({ from: "2026-07-01", to: "2026-09-30" });
    expect(p["last-month"]).toEqual({ from: "2026-10-01", to: "2026-10-31" });
    expect(presets("2026-02-10").find((x) => x.id === "last-quarter")?.period).toEqual({ from: "2025-10-01", to: "2025-12-31" });
  });
});
