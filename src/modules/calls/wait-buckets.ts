/**
 * The waiting time of answered calls is kept as a histogram, so the share answered within N rings
 * can be asked for any N and any ring length after the import, and the 90th percentile read without
 * the calls. Buckets: every second from 0 to 59 s (the range of "within N rings"), then 5 s up to
 * 3 min, 30 s up to 10 min, and one bucket for longer waits.
 */
export const WAIT_BUCKETS = 99;

export function waitBucket(seconds: number): number {
  if (seconds < 60) return Math.max(0, Math.floor(seconds));
  if (seconds < 180) return 60 + Math.floor((seconds - 60) / 5);
  if (seconds < 600) return 84 + Math.floor((seconds - 180) / 30);
  return 98;
}

/** The longest wait (in whole seconds) a bucket holds; Infinity for the last. */
export function bucketMax(bucket: number): number {
  if (bucket < 60) return bucket;
  if (bucket < 84) return 60 + (bucket - 60) * 5 + 4;
  if (bucket < 98) return 180 + (bucket - 84) * 30 + 29;
  return Number.POSITIVE_INFINITY;
}

/**
 * Answered calls that waited at most `seconds`. Exact up to 59 s; beyond, a bucket that straddles
 * the limit is left out, so the figure never flatters.
 */
export function answeredWithin(histogram: ReadonlyArray<number>, seconds: number): number {
  let n = 0;
  histogram.forEach((count, bucket) => {
    if (bucketMax(bucket) <= seconds) n += count;
  });
  return n;
}

/**
 * The p-th percentile (nearest rank) of the waits: exact in seconds below one minute, the upper
 * end of its bucket beyond ("at most"). Null without any answered call; the last bucket gives 600.
 */
export function waitPercentile(histogram: ReadonlyArray<number>, p: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket++) {
    seen += histogram[bucket] ?? 0;
    if (seen >= rank) return Number.isFinite(bucketMax(bucket)) ? bucketMax(bucket) : 600;
  }
  return 600;
}
