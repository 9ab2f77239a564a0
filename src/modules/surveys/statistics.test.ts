import { describe, expect, it } from "vitest";
import {
  compareNets,
  compareRates,
  formatEstimate,
  netSatisfaction,
  rateEstimate,
  satisfactionRate,
  wilsonInterval,
} from "./statistics.ts";

const counts = (satisfied: number, neutral: number, dissatisfied: number) => ({ satisfied, neutral, dissatisfied });

describe("the Wilson score interval of a rate", () => {
  it("gives the intervals published by Newcombe (1998, Statistics in Medicine 17:857, table I, method 3)", () => {
    const published: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [k, n, low, high] of published) {
      const ci = wilsonInterval(k, n);
      expect(ci.low).toBeCloseTo(low, 4);
      expect(ci.high).toBeCloseTo(high, 4);
    }
  });

  it("matches a hand computation: 40 satisfied out of 50", () => {
    // p = 0.8, z = 1.95996, z²/n = 0.076832
    // centre = (p + z²/2n) / (1 + z²/n) = 0.838416 / 1.076832 = 0.778597
    // half   = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²) = 1.820117 · √(0.0032 + 0.000384) = 0.108967
    const ci = wilsonInterval(40, 50);
    expect(ci.low).toBeCloseTo(0.669629, 5);
    expect(ci.high).toBeCloseTo(0.887562, 5);
  });

  it("stays inside 0–100 % where the textbook interval collapses (20 out of 20)", () => {
    // Upper bound exactly 1; lower bound n / (n + z²) = 20 / 23.8415 = 0.838875.
    expect(wilsonInterval(20, 20)).toEqual({ low: expect.closeTo(0.838875, 5), high: 1 });
  });

  it("refuses impossible counts rather than printing NaN", () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0, 0)).toThrow(RangeError);
    expect(rateEstimate(0, 0)).toBeNull();
  });
});

describe("net satisfaction (satisfied minus dissatisfied, one sample)", () => {
  it("matches a hand computation of Newcombe's interval for dependent proportions: 60 / 25 / 15", () => {
    // p1 = 0.60, Wilson [0.502002, 0.690599]; p2 = 0.15, Wilson [0.093051, 0.232782]
    // φ = −√(s·d / ((n−s)(n−d))) = −√(60·15 / (40·85)) = −0.514496
    // low  = 0.45 − √(0.097998² − 2φ·0.097998·0.082782 + 0.082782²) = 0.45 − 0.157538 = 0.292462
    // high = 0.45 + √(0.090599² − 2φ·0.090599·0.056949 + 0.056949²) = 0.45 + 0.129455 = 0.579455
    const net = netSatisfaction(counts(60, 25, 15));
    expect(net?.value).toBeCloseTo(0.45, 10);
    expect(net?.low).toBeCloseTo(0.292462, 5);
    expect(net?.high).toBeCloseTo(0.579455, 5);
  });

  it("agrees with the large-sample (Wald, multinomial variance) interval when n is large", () => {
    // Var(p1 − p2) = (p1 + p2 − (p1 − p2)²) / n = (0.7 − 0.09) / 10 000; ± 1.96 · 0.00781 = ± 0.01531
    const net = netSatisfaction(counts(5000, 3000, 2000));
    expect(net?.low).toBeCloseTo(0.2847, 3);
    expect(net?.high).toBeCloseTo(0.3153, 3);
  });

  it("is symmetric: swapping satisfied and dissatisfied mirrors the interval", () => {
    const a = netSatisfaction(counts(6, 3, 1));
    const b = netSatisfaction(counts(1, 3, 6));
    expect(b?.low).toBeCloseTo(-(a?.high ?? 0), 10);
    expect(b?.high).toBeCloseTo(-(a?.low ?? 0), 10);
  });

  it("stays within −100 and +100 points, even when everyone agrees", () => {
    for (const c of [counts(12, 0, 0), counts(0, 0, 12), counts(0, 12, 0), counts(6, 0, 6), counts(1, 0, 0)]) {
      const net = netSatisfaction(c);
      expect(net?.low).toBeGreaterThanOrEqual(-1);
      expect(net?.high).toBeLessThanOrEqual(1);
      expect(net?.low).toBeLessThanOrEqual(net?.value ?? Number.NaN);
      expect(net?.high).toBeGreaterThanOrEqual(net?.value ?? Number.NaN);
    }
  });
});

describe("the small-sample warning", () => {
  it("calls fewer than 30 answers indicative", () => {
    expect(rateEstimate(20, 25)?.warning).toMatchObject({
      code: "small_sample",
      message: "Moins de 30 réponses (25) : résultat indicatif.",
    });
  });

  it("calls a margin over ±10 points indicative, and says how wide", () => {
    // 25 / 50: Wilson [0.3664, 0.6336], margin 13 points.
    expect(rateEstimate(25, 50)?.warning).toMatchObject({
      code: "wide_interval",
      message: "Marge d'erreur de ± 13 points : résultat indicatif.",
    });
  });

  it("flags every sample under 35 answers, since the margin is at least z² / (n + z²)", () => {
    for (let n = 1; n < 35; n++) for (let k = 0; k <= n; k++) expect(rateEstimate(k, n)?.warning).not.toBeNull();
    // 50 out of 100: margin 9.6 points.
    expect(rateEstimate(50, 100)?.warning).toBeNull();
  });

  it("says nothing when the sample is large enough", () => {
    expect(rateEstimate(300, 400)?.warning).toBeNull();
    expect(satisfactionRate(counts(90, 5, 5))?.warning).toBeNull();
  });

  it("applies to net satisfaction too, whose margin is wider", () => {
    expect(netSatisfaction(counts(60, 25, 15))?.warning?.code).toBe("wide_interval");
  });
});

describe("comparing two sites or channels", () => {
  it("gives Newcombe's published hybrid score interval for 56/70 − 48/80 (1998, Statistics in Medicine 17:873, method 10)", () => {
    const d = compareRates(counts(56, 0, 14), counts(48, 0, 32));
    expect(d?.value).toBeCloseTo(0.2, 10);
    expect(d?.low).toBeCloseTo(0.0524, 4);
    expect(d?.high).toBeCloseTo(0.3339, 4);
    expect(d?.significant).toBe(true);
    expect(d?.warning).toBeNull();
  });

  it("does not call a gap significant when the interval holds 0", () => {
    const d = compareRates(counts(20, 5, 5), counts(17, 6, 7));
    expect(d?.low).toBeLessThan(0);
    expect(d?.significant).toBe(false);
  });

  it("compares net satisfactions by recovering each one's interval (MOVER)", () => {
    // a = 0.45 [0.292462, 0.579455], b = 0.10 [−0.063335, 0.257048] (Newcombe, 40 / 30 / 30)
    // low  = 0.35 − √((0.45 − 0.292462)² + (0.257048 − 0.10)²) = 0.35 − 0.222446
    // high = 0.35 + √((0.579455 − 0.45)² + (0.10 + 0.063335)²) = 0.35 + 0.208415
    const d = compareNets(counts(60, 25, 15), counts(40, 30, 30));
    expect(d?.value).toBeCloseTo(0.35, 10);
    expect(d?.low).toBeCloseTo(0.127554, 5);
    expect(d?.high).toBeCloseTo(0.558415, 5);
  });

  it("warns when a group has fewer than 30 answers, and gives nothing for an empty group", () => {
    expect(compareRates(counts(10, 0, 2), counts(80, 10, 10))?.warning?.code).toBe("small_sample");
    expect(compareRates(counts(0, 0, 0), counts(80, 10, 10))).toBeNull();
  });
});

describe("display", () => {
  it("writes a rate in percent and a net satisfaction in signed points, French style", () => {
    const rate = rateEstimate(40, 50);
    const net = netSatisfaction(counts(60, 25, 15));
    if (!rate || !net) throw new Error("estimates expected");
    expect(formatEstimate(rate, "percent")).toBe("80\u202f% (IC\u00a095\u202f%\u00a0: 67\u202f% à 89\u202f%)");
    expect(formatEstimate(net, "points")).toBe("+45 (IC\u00a095\u202f%\u00a0: +29 à +58)");
  });
});
