/** The first retry waits this long; each further one waits twice as long as the one before. */
export const FIRST_RETRY_MS = 30_000;
/** No retry waits longer than an hour: a service that comes back is used within the hour. */
export const MAX_RETRY_MS = 3_600_000;

/**
 * How long to wait before the next try, after `attempt` tries have failed (1 after the first).
 * Exponential so that a dependency that is down (an SMTP server, a remote API) is not hammered,
 * capped so that it is not forgotten either.
 */
export function retryDelayMs(attempt: number): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // 2^27 × 30 s already exceeds the cap: stopping there keeps the arithmetic finite.
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(exponent, 27));
}
