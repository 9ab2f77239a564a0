import { describe, expect, it } from "vitest";
import { FIRST_RETRY_MS, MAX_RETRY_MS, retryDelayMs } from "./backoff.ts";

describe("retryDelayMs", () => {
  it("doubles from 30 seconds", () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
  });

  it("never waits more than an hour, however many attempts failed", () => {
    expect(retryDelayMs(8)).toBe(MAX_RETRY_MS);
    expect(retryDelayMs(1_000)).toBe(MAX_RETRY_MS);
  });

  it("treats a nonsensical attempt count as the first failure", () => {
    expect(retryDelayMs(0)).toBe(FIRST_RETRY_MS);
    expect(retryDelayMs(-3)).toBe(FIRST_RETRY_MS);
  });
});
