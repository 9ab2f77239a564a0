import { hash } from "node:crypto";

/** One call as it is staged, then stored: what the rollup and the natural key need, nothing else. */
export interface CallRecord {
  key: string;
  startedAt: Date;
  /** Local day (`2026-03-02`) and quarter of an hour on the organisation's clock. */
  day: string;
  slot: number;
  line: string;
  outcome: CallOutcome;
  /** Ringing or queueing time in seconds: until pickup when answered, until the caller hung up otherwise. */
  wait: number;
  talk: number;
}

export const CALL_OUTCOMES = ["answered", "abandoned", "busy", "failed"] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export type RecordResult = { ok: true; call: CallRecord } | { ok: false; message: string } | { ok: "skip" };

/**
 * The natural key of a call, stored as the 16 bytes of its MD5 written as a uuid: a fixed, short
 * key keeps the unique index of millions of calls small and fast. Not a security measure: two
 * different calls meeting on MD5 by chance is out of reach (2^-64 for 5 billion calls).
 */
export function callKey(natural: string): string {
  // The one-shot hash: no Hash object per call, which counts over millions of lines.
  const h = hash("md5", natural, "hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A line's own key when the system gives no unique id: the same line read twice gives the same key. */
export function lineHash(cells: string[]): string {
  return callKey(`h:${cells.join("\u001f")}`);
}
