import { formatPercentValue, NBSP, NNBSP } from "../../ui/format.ts";

/**
 * Rates with their 95% confidence intervals, from counts. Pure; shares are in [0, 1], net
 * satisfaction in [-1, 1] (pages show them ×100, in % and points).
 *
 * - A rate: Wilson score interval (Wilson 1927), which stays within [0, 1] and keeps close to its
 *   nominal coverage for small samples and rates near 0 or 100 %, where the textbook ±1.96·√(p(1−p)/n)
 *   fails (it gives [100 %, 100 %] for 20 satisfied out of 20).
 * - Net satisfaction (satisfied share minus dissatisfied share of the same respondents): Newcombe's
 *   square-and-add interval for a difference of dependent proportions (Newcombe 1998, Statistics in
 *   Medicine 17:2635, method 10). The two shares come from one multinomial sample, as the two margins
 *   of a paired 2×2 table whose "both" cell is empty; their negative correlation enters through φ.
 * - A difference between two independent groups (two sites, two channels): Newcombe's hybrid score
 *   interval (Statistics in Medicine 17:873, method 10), i.e. MOVER (Zou & Donner 2008) on the two
 *   groups' own intervals; the same recovery gives the difference of two net satisfactions.
 */
export const Z_95 = 1.959963984540054;

/** Below 30 answers a result or a comparison is shown as indicative, see precisionWarning. */
export const MIN_SAMPLE = 30;
/** A margin wider than ±10 points cannot tell apart the changes a service acts on. */
export const MAX_HALF_WIDTH = 0.1;

export interface Interval {
  low: number;
  high: number;
}

export interface PrecisionWarning {
  code: "small_sample" | "wide_interval";
  message: string;
}

export interface Estimate extends Interval {
  value: number;
  n: number;
  warning: PrecisionWarning | null;
}

export interface SentimentCounts {
  satisfied: number;
  neutral: number;
  dissatisfied: number;
}

export function wilsonInterval(successes: number, n: number, z = Z_95): Interval {
  assertCounts(successes, n);
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Exact bounds at the edges, rather than 1e-17 from rounding: "0 %" must read 0 %.
  return { low: successes === 0 ? 0 : clamp(centre - half, 0, 1), high: successes === n ? 1 : clamp(centre + half, 0, 1) };
}

/** A share with its Wilson interval, or null when nobody answered. */
export function rateEstimate(successes: number, n: number): Estimate | null {
  if (n === 0) return null;
  const value = successes / n;
  return withWarning({ value, n, ...wilsonInterval(successes, n) });
}

export function satisfactionRate(c: SentimentCounts): Estimate | null {
  return rateEstimate(c.satisfied, total(c));
}

/** Satisfied share minus dissatisfied share, with Newcombe's interval for dependent proportions. */
export function netSatisfaction(c: SentimentCounts, z = Z_95): Estimate | null {
  const n = total(c);
  if (n === 0) return null;
  const p1 = c.satisfied / n;
  const p2 = c.dissatisfied / n;
  const w1 = wilsonInterval(c.satisfied, n, z);
  const w2 = wilsonInterval(c.dissatisfied, n, z);
  const phi = exclusiveCorrelation(c.satisfied, c.dissatisfied, n);
  // Distances from each share to its own Wilson bounds: how far it may fall (l) or rise (u).
  const [l1, u1, l2, u2] = [p1 - w1.low, w1.high - p1, p2 - w2.low, w2.high - p2];
  const value = p1 - p2;
  return withWarning({
    value,
    n,
    low: clamp(value - Math.sqrt(l1 ** 2 - 2 * phi * l1 * u2 + u2 ** 2), -1, 1),
    high: clamp(value + Math.sqrt(u1 ** 2 - 2 * phi * u1 * l2 + l2 ** 2), -1, 1),
  });
}

/**
 * φ of the paired table (satisfied?, dissatisfied?): cells e = 0 (both), f = s, g = d, h = neutral;
 * φ = (eh − fg) / √((e+f)(g+h)(e+g)(f+h)) = −√(s·d / ((n−s)(n−d))), 0 when a margin is empty.
 * Newcombe's continuity-corrected variant changes only positive φ, which cannot occur here.
 */
function exclusiveCorrelation(s: number, d: number, n: number): number {
  if (s === 0 || d === 0 || s === n || d === n) return 0;
  return -Math.sqrt((s * d) / ((n - s) * (n - d)));
}

export interface Difference extends Interval {
  /** a − b */
  value: number;
  /** The interval leaves out 0: the gap is unlikely to be chance alone. */
  significant: boolean;
  warning: PrecisionWarning | null;
}

/** a − b for two independent groups, from each one's estimate and interval (MOVER). */
export function differenceOf(a: Estimate, b: Estimate, range: Interval): Difference {
  const value = a.value - b.value;
  const low = clamp(value - Math.hypot(a.value - a.low, b.high - b.value), range.low, range.high);
  const high = clamp(value + Math.hypot(a.high - a.value, b.value - b.low), range.low, range.high);
  const small = Math.min(a.n, b.n) < MIN_SAMPLE;
  return {
    value,
    low,
    high,
    significant: low > 0 || high < 0,
    warning: small
      ? { code: "small_sample", message: `Moins de ${MIN_SAMPLE} réponses dans un des groupes : comparaison indicative.` }
      : null,
  };
}

/** Difference of satisfaction rates between two groups (Newcombe's hybrid score interval). */
export function compareRates(a: SentimentCounts, b: SentimentCounts): Difference | null {
  const ra = satisfactionRate(a);
  const rb = satisfactionRate(b);
  return ra && rb ? differenceOf(ra, rb, { low: -1, high: 1 }) : null;
}

/** Difference of net satisfactions between two groups, in [-2, 2]. */
export function compareNets(a: SentimentCounts, b: SentimentCounts): Difference | null {
  const na = netSatisfaction(a);
  const nb = netSatisfaction(b);
  return na && nb ? differenceOf(na, nb, { low: -2, high: 2 }) : null;
}

/**
 * The small-sample rule: a result is indicative when its margin exceeds ±10 points, the size of the
 * changes a service acts on; at 50 % satisfied that takes about 93 answers. The margin is at least
 * z²/(n + z²) (everyone giving the same answer), so every sample under 35 answers is flagged anyway:
 * below 30 the warning says so in words a reader understands at once rather than as a margin.
 */
export function precisionWarning(e: Omit<Estimate, "warning">): PrecisionWarning | null {
  if (e.n < MIN_SAMPLE) {
    return { code: "small_sample", message: `Moins de ${MIN_SAMPLE} réponses (${e.n}) : résultat indicatif.` };
  }
  const half = Math.max(e.value - e.low, e.high - e.value);
  if (half > MAX_HALF_WIDTH) {
    return { code: "wide_interval", message: `Marge d'erreur de ± ${Math.round(half * 100)} points : résultat indicatif.` };
  }
  return null;
}

/** "72 % (IC 95 % : 65 % à 78 %)", or in points for a net satisfaction: "+18 (IC 95 % : +4 à +31)". */
export function formatEstimate(e: Estimate, unit: "percent" | "points"): string {
  const fmt = (x: number) => {
    const v = Math.round(x * 100);
    return unit === "percent" ? formatPercentValue(v) : `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v)}`;
  };
  return `${fmt(e.value)} (IC${NBSP}95${NNBSP}%${NBSP}: ${fmt(e.low)} à ${fmt(e.high)})`;
}

function withWarning(e: Omit<Estimate, "warning">): Estimate {
  return { ...e, warning: precisionWarning(e) };
}

function total(c: SentimentCounts): number {
  return c.satisfied + c.neutral + c.dissatisfied;
}

function assertCounts(successes: number, n: number): void {
  if (!Number.isInteger(successes) || !Number.isInteger(n) || n <= 0 || successes < 0 || successes > n) {
    throw new RangeError(`Effectifs impossibles : ${successes} sur ${n}.`);
  }
}

function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
}
