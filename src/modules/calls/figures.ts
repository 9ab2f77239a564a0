import { answeredWithin, WAIT_BUCKETS, waitPercentile } from "./wait-buckets.ts";

/**
 * Phone figures from the rollups (pure): answer rate, share answered within N rings, mean and 90th
 * percentile wait of answered calls, abandoned calls and, when the opening hours are known, calls
 * that came while the service was closed.
 */

/** Whether the service is open at a time of the week: ISO day (1 = Monday) and minute of the day. */
export type IsOpen = (dayOfWeek: number, minuteOfDay: number) => boolean;

export interface SlotCounts {
  month: string;
  /** Null for rows kept without their line (a parent's descendants): they count everywhere but by line. */
  line: string | null;
  dow: number;
  slot: number;
  offered: number;
  answered: number;
  abandoned: number;
  waitSum: number;
}

export interface WaitCounts {
  month: string;
  line: string | null;
  bucket: number;
  answered: number;
}

export interface CallFigures {
  offered: number;
  answered: number;
  abandoned: number;
  /** Neither answered nor abandoned: busy line, failed call. */
  unreached: number;
  answerRate: number | null;
  /** Calls answered within the rings, and their share of the calls offered. */
  withinRings: number;
  withinRate: number | null;
  abandonRate: number | null;
  meanWait: number | null;
  p90Wait: number | null;
  /** Null when the opening hours are unknown. */
  outsideHours: number | null;
}

interface Acc {
  offered: number;
  answered: number;
  abandoned: number;
  waitSum: number;
  outside: number;
  histogram: number[];
}

const empty = (): Acc => ({ offered: 0, answered: 0, abandoned: 0, waitSum: 0, outside: 0, histogram: Array(WAIT_BUCKETS).fill(0) });

function finish(acc: Acc, thresholdSeconds: number, known: boolean): CallFigures {
  const within = answeredWithin(acc.histogram, thresholdSeconds);
  const share = (n: number) => (acc.offered ? n / acc.offered : null);
  return {
    offered: acc.offered,
    answered: acc.answered,
    abandoned: acc.abandoned,
    unreached: acc.offered - acc.answered - acc.abandoned,
    answerRate: share(acc.answered),
    withinRings: within,
    withinRate: share(within),
    abandonRate: share(acc.abandoned),
    meanWait: acc.answered ? acc.waitSum / acc.answered : null,
    p90Wait: waitPercentile(acc.histogram, 90),
    outsideHours: known ? acc.outside : null,
  };
}

export interface CallReport {
  total: CallFigures;
  byLine: Array<{ line: string } & CallFigures>;
  byMonth: Array<{ month: string } & CallFigures>;
  /** Day of the week (1–7) × hour (0–23): calls offered and answered. */
  heat: Array<Array<{ offered: number; answered: number }>>;
}

/** A quarter of an hour counts as open when the service is open at its first minute. */
export function callReport(slots: SlotCounts[], waits: WaitCounts[], thresholdSeconds: number, isOpen: IsOpen | null): CallReport {
  const total = empty();
  const lines = new Map<string, Acc>();
  const months = new Map<string, Acc>();
  const heat = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => ({ offered: 0, answered: 0 })));
  const group = (map: Map<string, Acc>, key: string) => {
    let acc = map.get(key);
    if (!acc) {
      acc = empty();
      map.set(key, acc);
    }
    return acc;
  };
  for (const s of slots) {
    const closed = isOpen ? !isOpen(s.dow, s.slot * 15) : false;
    for (const acc of [total, ...(s.line === null ? [] : [group(lines, s.line)]), group(months, s.month.slice(0, 7))]) {
      acc.offered += s.offered;
      acc.answered += s.answered;
      acc.abandoned += s.abandoned;
      acc.waitSum += s.waitSum;
      if (closed) acc.outside += s.offered;
    }
    const cell = heat[s.dow - 1]?.[Math.floor(s.slot / 4)];
    if (cell) {
      cell.offered += s.offered;
      cell.answered += s.answered;
    }
  }
  for (const w of waits) {
    for (const acc of [total, ...(w.line === null ? [] : [group(lines, w.line)]), group(months, w.month.slice(0, 7))]) {
      acc.histogram[w.bucket] = (acc.histogram[w.bucket] ?? 0) + w.answered;
    }
  }
  const sorted = (map: Map<string, Acc>) => [...map].sort(([a], [b]) => a.localeCompare(b));
  return {
    total: finish(total, thresholdSeconds, isOpen !== null),
    byLine: sorted(lines).map(([line, acc]) => ({ line, ...finish(acc, thresholdSeconds, isOpen !== null) })),
    byMonth: sorted(months).map(([month, acc]) => ({ month, ...finish(acc, thresholdSeconds, isOpen !== null) })),
    heat,
  };
}
