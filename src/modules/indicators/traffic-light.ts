import { formatNumber, formatPercent, NBSP } from "../../ui/format.ts";
import type { IndicatorUnit } from "./indicator.ts";

/**
 * Traffic light and trend of a figure. Pure. Green: the target is met; amber: missed by no more than
 * the unit's tolerance; red: missed by more. A figure without a target of its own is judged against a
 * default per unit (see README), and gets no light when its unit has none (counts, durations).
 */
export type Light = "green" | "amber" | "red" | "none";

/** Default targets when a figure carries none: shares and scores from the Services Publics+ habits. */
export const DEFAULT_TARGETS: Partial<Record<IndicatorUnit, { higher: number; lower?: number }>> = {
  share: { higher: 0.9 },
  points: { higher: 30 },
  score: { higher: 80 },
};

/** How far under target is still amber: absolute for shares, points and scores, relative for durations and counts. */
export const TOLERANCES: Record<IndicatorUnit, { absolute?: number; relative?: number }> = {
  share: { absolute: 0.05 },
  points: { absolute: 10 },
  score: { absolute: 10 },
  days: { relative: 0.2 },
  seconds: { relative: 0.2 },
  count: { relative: 0.1 },
};

export interface Judged {
  value: number | null;
  target: number | null;
  unit: IndicatorUnit;
  better: "higher" | "lower";
}

/** The target the light compares against: the figure's own, else the unit's default for "higher is better". */
export function effectiveTarget(f: Judged): number | null {
  if (f.target !== null) return f.target;
  const d = DEFAULT_TARGETS[f.unit];
  if (!d) return null;
  return f.better === "higher" ? d.higher : (d.lower ?? null);
}

export function trafficLight(f: Judged): Light {
  const target = effectiveTarget(f);
  if (f.value === null || target === null) return "none";
  // How far the figure falls short, positive when it misses.
  const shortfall = f.better === "higher" ? target - f.value : f.value - target;
  if (shortfall <= 1e-9) return "green";
  const t = TOLERANCES[f.unit];
  const allowed = t.absolute ?? (t.relative ?? 0) * Math.abs(target);
  return shortfall <= allowed + 1e-9 ? "amber" : "red";
}

export const LIGHT_LABELS: Record<Light, string> = {
  green: "Objectif atteint",
  amber: "Proche de l'objectif",
  red: "Objectif manqué",
  none: "Sans objectif",
};

/** Changes smaller than this are "stable": one point of percentage, one point of score… */
const FLAT: Record<IndicatorUnit, number> = { share: 0.01, points: 1, score: 1, days: 0.5, seconds: 5, count: 0 };

export interface Trend {
  direction: "up" | "down" | "flat" | "none";
  /** Whether the change is for the better; null when flat or unknown. */
  better: boolean | null;
  delta: number | null;
}

export function trend(current: number | null, previous: number | null, unit: IndicatorUnit, better: "higher" | "lower"): Trend {
  if (current === null || previous === null) return { direction: "none", better: null, delta: null };
  const delta = current - previous;
  if (Math.abs(delta) <= FLAT[unit]) return { direction: "flat", better: null, delta };
  const direction = delta > 0 ? "up" : "down";
  return { direction, better: (direction === "up") === (better === "higher"), delta };
}

/** A figure as people read it: « 87,5 % », « +12 », « 4,5 j »… */
export function formatValue(value: number | null, unit: IndicatorUnit): string {
  if (value === null) return "—";
  const fr = (n: number, digits = 1) => formatNumber(n, digits);
  switch (unit) {
    case "share":
      return formatPercent(value, 1);
    case "points":
      return `${value > 0 ? "+" : ""}${fr(value, 0)}`;
    case "days":
      return `${fr(value)}${NBSP}j`;
    case "seconds":
      return `${fr(value, 0)}${NBSP}s`;
    case "score":
      return `${fr(value, 0)}${NBSP}/${NBSP}100`;
    default:
      return fr(value, 0);
  }
}
