/**
 * The shared harness of the benchmarks (issue #13, point 7). Every figure is a ratio to a ceiling
 * measured in the same run, never a lone number:
 *
 * - a warm-up (ceiling then Vigie, not counted: plans, caches, JIT), after the figure's own when it has one
 *   (`warmUp`: the benches on random sites meet each site once, as a server in service for a while has);
 * - then `rounds` (≥ 5) interleaved rounds « ceiling, Vigie, Vigie, ceiling »: a burst of other work on
 *   the shared machine hits both sides of a round, and the order cancels a slow drift;
 * - one ratio per round (Vigie's two halves against the ceiling's two), then the median of the per-round
 *   ratios with their min and max. No figure is taken from the best round.
 *
 * HTTP benches run their load generator in its own process (`forkLoad`), so it never shares the event loop
 * of the server it measures.
 */
import { fork } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

export type Direction = "latency" | "throughput";

export interface Figure {
  /** What is measured, in French, as docs/performance.md shows it. */
  label: string;
  /** Latency (ms, lower is better; ratio = Vigie / ceiling, goal « ≤ N× ») or throughput (per second; ratio = Vigie / ceiling, goal « ≥ N % »). */
  direction: Direction;
  /** latency: the most Vigie may cost, in multiples of the ceiling; throughput: the least share of the ceiling. */
  goal: number;
  unit: string;
  ceiling: () => Promise<number>;
  vigie: () => Promise<number>;
  /**
   * Before the usual warm-up, not counted: brings both sides to where a server in service stands. The benches
   * on random sites of a 5,000-site network pass each site once, ceiling and Vigie: five seconds of load meet
   * a third of them, and the first rounds measured the first request of a site since the server started.
   */
  warmUp?: () => Promise<void>;
  /** Called after each side of a round (e.g. to put the table back to its size). */
  reset?: () => Promise<void>;
  /** Called once the rounds are over (connections, files). */
  close?: () => Promise<void>;
}

export interface Outcome {
  label: string;
  direction: Direction;
  goal: number;
  unit: string;
  rounds: Array<{ ceiling: [number, number]; vigie: [number, number]; ratio: number }>;
  median: number;
  min: number;
  max: number;
  ceilingMedian: number;
  vigieMedian: number;
  passed: boolean;
  loadBefore: number;
  loadAfter: number;
}

export const log = (message: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}

/**
 * p50 in ms of `calls` sequential calls of `fn`, or of as many as fit in `budgetSeconds` (at least 3): a side of
 * a round that takes seconds per call must not make the run last an hour.
 */
export async function p50(calls: number, fn: (i: number) => Promise<unknown>, budgetSeconds = 3): Promise<number> {
  const samples: number[] = [];
  const deadline = performance.now() + budgetSeconds * 1000;
  for (let i = 0; i < calls && (i < 3 || performance.now() < deadline); i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return percentile(samples, 50);
}

/** Operations per second of `concurrency` workers calling `fn` for `seconds`, in this process (database-bound work). */
export async function throughput(
  seconds: number,
  concurrency: number,
  fn: (worker: number, i: number) => Promise<unknown>,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await fn(w, i);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

/** `fn` once for each item, in order, by `concurrency` workers (a warm-up meeting every site once). */
export async function eachOnce<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i] as T, i);
    }),
  );
}

/** Warm-up, then ≥ 5 interleaved rounds: ceiling, Vigie, Vigie, ceiling. */
export async function interleave(figure: Figure, rounds: number): Promise<Outcome> {
  if (rounds < 5) throw new Error("Au moins 5 manches (--rounds 5).");
  const loadBefore = loadavg()[0] ?? 0;
  log(`${figure.label} : chauffe`);
  await figure.warmUp?.();
  await figure.ceiling();
  await figure.reset?.();
  await figure.vigie();
  await figure.reset?.();
  const out: Outcome["rounds"] = [];
  const side = async (f: () => Promise<number>) => {
    const value = await f();
    await figure.reset?.();
    return value;
  };
  for (let r = 0; r < rounds; r++) {
    const c1 = await side(figure.ceiling);
    const v1 = await side(figure.vigie);
    const v2 = await side(figure.vigie);
    const c2 = await side(figure.ceiling);
    const ratio = (v1 + v2) / (c1 + c2);
    out.push({ ceiling: [c1, c2], vigie: [v1, v2], ratio });
    log(
      `  manche ${r + 1}/${rounds} : plafond ${fmt(c1)} / ${fmt(c2)}, Vigie ${fmt(v1)} / ${fmt(v2)} ${figure.unit} → ${ratioText(figure.direction, ratio)}`,
    );
  }
  const ratios = out.map((r) => r.ratio);
  const m = median(ratios);
  return {
    label: figure.label,
    direction: figure.direction,
    goal: figure.goal,
    unit: figure.unit,
    rounds: out,
    median: m,
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    ceilingMedian: median(out.flatMap((r) => r.ceiling)),
    vigieMedian: median(out.flatMap((r) => r.vigie)),
    passed: figure.direction === "latency" ? m <= figure.goal : m >= figure.goal,
    loadBefore,
    loadAfter: loadavg()[0] ?? 0,
  };
}

const nf = (digits: number) => new Intl.NumberFormat("fr-FR", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return "—";
  return nf(value >= 100 ? 0 : value >= 10 ? 1 : 2).format(value);
}

export function ratioText(direction: Direction, ratio: number): string {
  return direction === "latency" ? `${nf(1).format(ratio)}×` : `${nf(0).format(ratio * 100)} %`;
}

export const TABLE_HEADER = `| mesure | plafond (médiane) | Vigie (médiane) | rapport : médiane (min – max) | objectif | verdict | charge 1 min avant → après |
|---|---:|---:|---|---|---|---|`;

/** One Markdown row of the results table. */
export function markdownRow(o: Outcome): string {
  const goal = o.direction === "latency" ? `≤ ${nf(1).format(o.goal)}×` : `≥ ${nf(0).format(o.goal * 100)} %`;
  const ratio = `**${ratioText(o.direction, o.median)}** (${ratioText(o.direction, o.min)} – ${ratioText(o.direction, o.max)})`;
  return `| ${o.label} | ${fmt(o.ceilingMedian)} ${o.unit} | ${fmt(o.vigieMedian)} ${o.unit} | ${ratio} | ${goal} | ${o.passed ? "atteint" : "**non atteint**"} | ${nf(1).format(o.loadBefore)} → ${nf(1).format(o.loadAfter)} |`;
}

export function machine(): string {
  return `${cpus().length} cœurs (${cpus()[0]?.model ?? "?"}), Node ${process.version}, machine partagée (charge moyenne 1 min au départ : ${nf(1).format(loadavg()[0] ?? 0)})`;
}

/**
 * Runs a load generator in its own process (Node with tsx), sends it `input`, resolves with the one message it
 * sends back. The server under load stays in this process and keeps answering meanwhile.
 */
export function forkLoad<I, O>(script: string | URL, input: I): Promise<O> {
  const file = script instanceof URL ? fileURLToPath(script) : script;
  return new Promise((resolve, reject) => {
    const child = fork(file, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let answered = false;
    child.once("message", (message) => {
      answered = true;
      resolve(message as O);
      child.disconnect();
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (!answered) reject(new Error(`générateur de charge arrêté (code ${code})`));
    });
    child.send(input as object);
  });
}
