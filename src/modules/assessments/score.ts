/** Self-assessment statuses and scores. Pure. */
export const ITEM_STATUSES = ["met", "partly", "not_met", "not_applicable"] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const ITEM_STATUS_LABELS: Record<ItemStatus, string> = {
  met: "Respectée",
  partly: "Partiellement respectée",
  not_met: "Non respectée",
  not_applicable: "Non applicable",
};

/** A met requirement counts fully, a partly met one half; "not applicable" leaves the count. */
const POINTS: Record<Exclude<ItemStatus, "not_applicable">, number> = { met: 1, partly: 0.5, not_met: 0 };

export interface ScoredItem {
  commitmentId: string;
  status: ItemStatus | null;
}

export interface CommitmentScore {
  /** 0..100, one decimal; null when nothing applicable was answered. */
  score: number | null;
  answered: number;
  total: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Per commitment: the mean of its answered, applicable requirements, on 100. */
export function commitmentScores(items: ScoredItem[]): Map<string, CommitmentScore> {
  const acc = new Map<string, { points: number; counted: number; answered: number; total: number }>();
  for (const item of items) {
    const a = acc.get(item.commitmentId) ?? { points: 0, counted: 0, answered: 0, total: 0 };
    a.total++;
    if (item.status) {
      a.answered++;
      if (item.status !== "not_applicable") {
        a.points += POINTS[item.status];
        a.counted++;
      }
    }
    acc.set(item.commitmentId, a);
  }
  const out = new Map<string, CommitmentScore>();
  for (const [id, a] of acc) {
    out.set(id, { score: a.counted ? round1((100 * a.points) / a.counted) : null, answered: a.answered, total: a.total });
  }
  return out;
}

/** The campaign's score: each commitment weighs the same, whatever its number of requirements. */
export function overallScore(scores: Iterable<CommitmentScore>): number | null {
  const values = [...scores].map((s) => s.score).filter((s): s is number => s !== null);
  return values.length ? round1(values.reduce((a, b) => a + b, 0) / values.length) : null;
}

/** The change since last year, in points; null when either side has no score. */
export function scoreChange(now: number | null | undefined, before: number | null | undefined): number | null {
  return now === null || now === undefined || before === null || before === undefined ? null : round1(now - before);
}

export function isItemStatus(value: unknown): value is ItemStatus {
  return typeof value === "string" && (ITEM_STATUSES as readonly string[]).includes(value);
}
