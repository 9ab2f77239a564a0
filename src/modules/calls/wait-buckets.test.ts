import { describe, expect, it } from "vitest";
import { answeredWithin, bucketMax, WAIT_BUCKETS, waitBucket, waitPercentile } from "./wait-buckets.ts";

describe("waiting-time histogram", () => {
  it("keeps every second below a minute, then wider buckets, each wait in the bucket whose range holds it", () => {
    expect(waitBucket(0)).toBe(0);
    expect(waitBucket(59)).toBe(59);
    expect(waitBucket(60)).toBe(60);
    expect(waitBucket(64)).toBe(60);
    expect(waitBucket(65)).toBe(61);
    expect(waitBucket(179)).toBe(83);
    expect(waitBucket(180)).toBe(84);
    expect(waitBucket(599)).toBe(97);
    expect(waitBucket(3600)).toBe(98);
    for (let s = 0; s < 700; s++) {
      const b = waitBucket(s);
      expect(b).toBeLessThan(WAIT_BUCKETS);
      expect(s <= bucketMax(b) && (b === 0 || s > bucketMax(b - 1)), `${s} s`).toBe(true);
    }
  });

  it("counts the answers within a limit exactly below a minute, and never a bucket that straddles it", () => {
    const h = Array(WAIT_BUCKETS).fill(0);
    for (const s of [0, 5, 25, 26, 62, 64, 66]) h[waitBucket(s)]++;
    expect(answeredWithin(h, 25)).toBe(3);
    expect(answeredWithin(h, 64)).toBe(6);
    expect(answeredWithin(h, 63)).toBe(4);
  });

  it("gives the nearest-rank percentile", () => {
    const h = Array(WAIT_BUCKETS).fill(0);
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 40];
    for (const s of waits) h[waitBucket(s)]++;
    expect(waitPercentile(h, 90)).toBe(9);
    expect(waitPercentile(h, 100)).toBe(40);
    expect(waitPercentile(h, 50)).toBe(5);
    expect(waitPercentile(Array(WAIT_BUCKETS).fill(0), 90)).toBeNull();
  });
});
