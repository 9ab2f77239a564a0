import { createHash } from "node:crypto";

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

/** A line's own key when the system gives no unique id: the same line read twice gives the same key. */
export function lineHash(cells: string[]): string {
  return `h:${createHash("sha1").update(cells.join("\u001f")).digest("base64url")}`;
}
