import type { CallOutcome, CallRecord, RecordResult } from "./call-record.ts";
import { callKey, lineHash } from "./call-record.ts";
import { type LocalDateTime, localDay, parseLocalDateTime, secondsBetween, slotOf } from "./local-time.ts";

/**
 * Asterisk's CDR file (cdr_csv, Master.csv): no header, one call leg per line, in this order (the
 * order of build_csv_record in cdr_csv.c); the unique id and the user field follow only when the
 * PBX is set to log them, and later versions may append more columns, which are ignored.
 */
export const CDR_COLUMNS = [
  "accountcode",
  "src",
  "dst",
  "dcontext",
  "clid",
  "channel",
  "dstchannel",
  "lastapp",
  "lastdata",
  "start",
  "answer",
  "end",
  "duration",
  "billsec",
  "disposition",
  "amaflags",
  "uniqueid",
  "userfield",
] as const;
const MIN_COLUMNS = 16;
const MAX_COLUMNS = 24;
const col = (name: (typeof CDR_COLUMNS)[number]) => CDR_COLUMNS.indexOf(name);
const DISPOSITIONS: Record<string, CallOutcome> = {
  ANSWERED: "answered",
  "NO ANSWER": "abandoned",
  BUSY: "busy",
  FAILED: "failed",
  CONGESTION: "failed",
};

export interface CdrOptions {
  clock: (t: LocalDateTime) => Date;
  /** Dialplan contexts of incoming calls; empty: every line counts. */
  inboundContexts: ReadonlySet<string>;
}

const INTEGER = /^-?\d+$/;

export function parseCdrRecord(cells: string[], options: CdrOptions): RecordResult {
  if (cells.length < MIN_COLUMNS || cells.length > MAX_COLUMNS) {
    return { ok: false, message: `${cells.length} colonnes au lieu de 16 à 18 : ce n'est pas une ligne de Master.csv.` };
  }
  const at = (i: number) => cells[i] ?? "";
  if (options.inboundContexts.size > 0 && !options.inboundContexts.has(at(col("dcontext")))) return { ok: "skip" };
  const start = parseLocalDateTime(at(col("start")));
  if (!start) return { ok: false, message: `Date de début illisible : « ${at(col("start"))} ».` };
  const answerText = at(col("answer"));
  const answer = answerText === "" ? null : parseLocalDateTime(answerText);
  if (answerText !== "" && !answer) return { ok: false, message: `Heure de décroché illisible : « ${answerText} ».` };
  const durationText = at(col("duration")).trim();
  const billsecText = at(col("billsec")).trim();
  if (!INTEGER.test(durationText) || !INTEGER.test(billsecText)) {
    return { ok: false, message: `Durées illisibles : « ${durationText} » et « ${billsecText} ».` };
  }
  const duration = Number(durationText);
  const billsec = Number(billsecText);
  if (duration < 0 || billsec < 0) return { ok: false, message: "Durée négative." };
  if (billsec > duration) return { ok: false, message: "Durée facturée plus longue que l'appel." };
  const disposition = at(col("disposition")).trim().toUpperCase();
  const outcome = DISPOSITIONS[disposition];
  if (!outcome) return { ok: false, message: `Issue d'appel inconnue : « ${at(col("disposition"))} ».` };

  // Ringing time of an answered call: from the start to the pickup; without the pickup time, the
  // length of the call less its billed part. An unanswered call waited its whole length.
  let wait = duration;
  if (outcome === "answered") wait = answer ? secondsBetween(start, answer) : duration - billsec;
  if (wait < 0) return { ok: false, message: "Décroché avant le début de l'appel." };

  const uniqueid = at(col("uniqueid")).trim();
  const lastapp = at(col("lastapp"));
  // A call waiting in a queue is counted on the queue (first argument of Queue()), others on the number dialled.
  const line = lastapp.toLowerCase() === "queue" ? (at(col("lastdata")).split(/[,|]/)[0] ?? "").trim() : at(col("dst")).trim();
  const call: CallRecord = {
    key: uniqueid ? callKey(`u:${uniqueid}|${at(col("start"))}|${at(col("dst"))}`) : lineHash(cells),
    startedAt: options.clock(start),
    day: localDay(start),
    slot: slotOf(start),
    line: line.slice(0, 80),
    outcome,
    wait,
    talk: outcome === "answered" ? billsec : 0,
  };
  return { ok: true, call };
}
