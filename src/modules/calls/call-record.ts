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
 * The natural key of a call, stored as a uuid: the local day (days since 1970, 2 bytes) and quarter
 * of an hour (1 byte) of the call, then 13 bytes of the MD5 of its natural identity. A fixed, short
 * key keeps the unique index of millions of calls small; leading with the time makes a log, written
 * in time order, land at the end of the index instead of all over it (an import of millions of calls
 * then touches a few index pages at a time, in memory and in the write-ahead log). Not a security
 * measure: two calls of the same quarter of an hour meeting on 104 bits of MD5 is out of reach.
 */
export function callKey(natural: string, at: { year: number; month: number; day: number; hour: number; minute: number }): string {
  // The one-shot hash: no Hash object per call, which counts over millions of lines.
  const h = hash("md5", natural, "hex");
  const days = Date.UTC(at.year, at.month - 1, at.day) / 86_400_000;
  const slot = at.hour * 4 + Math.floor(at.minute / 15);
  const prefix = (days * 256 + slot).toString(16).padStart(6, "0");
  return `${prefix}${h.slice(0, 2)}-${h.slice(2, 6)}-${h.slice(6, 10)}-${h.slice(10, 14)}-${h.slice(14, 26)}`;
}

/** A line's own key when the system gives no unique id: the same line read twice gives the same key. */
export function lineHash(cells: string[], at: Parameters<typeof callKey>[1]): string {
  return callKey(`h:${cells.join("\u001f")}`, at);
}
