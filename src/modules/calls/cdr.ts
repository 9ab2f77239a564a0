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
// Positions, looked up once: this runs for every line of files of millions.
const DST = CDR_COLUMNS.indexOf("dst");
const DCONTEXT = CDR_COLUMNS.indexOf("dcontext");
const LASTAPP = CDR_COLUMNS.indexOf("lastapp");
const LASTDATA = CDR_COLUMNS.indexOf("lastdata");
const START = CDR_COLUMNS.indexOf("start");
const ANSWER = CDR_COLUMNS.indexOf("answer");
const DURATION = CDR_COLUMNS.indexOf("duration");
const BILLSEC = CDR_COLUMNS.indexOf("billsec");
const DISPOSITION = CDR_COLUMNS.indexOf("disposition");
const UNIQUEID = CDR_COLUMNS.indexOf("uniqueid");
const QUEUE_ARGUMENT = /[,|]/;
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
  if (options.inboundContexts.size > 0 && !options.inboundContexts.has(cells[DCONTEXT] ?? "")) return { ok: "skip" };
  const startText = cells[START] ?? "";
  const start = parseLocalDateTime(startText);
  if (!start) return { ok: false, message: `Date de début illisible : « ${startText} ».` };
  const answerText = cells[ANSWER] ?? "";
  const answer = answerText === "" ? null : parseLocalDateTime(answerText);
  if (answerText !== "" && !answer) return { ok: false, message: `Heure de décroché illisible : « ${answerText} ».` };
  const durationText = (cells[DURATION] ?? "").trim();
  const billsecText = (cells[BILLSEC] ?? "").trim();
  if (!INTEGER.test(durationText) || !INTEGER.test(billsecText)) {
    return { ok: false, message: `Durées illisibles : « ${durationText} » et « ${billsecText} ».` };
  }
  const duration = Number(durationText);
  const billsec = Number(billsecText);
  if (duration < 0 || billsec < 0) return { ok: false, message: "Durée négative." };
  if (billsec > duration) return { ok: false, message: "Durée facturée plus longue que l'appel." };
  const dispositionText = cells[DISPOSITION] ?? "";
  const outcome = DISPOSITIONS[dispositionText] ?? DISPOSITIONS[dispositionText.trim().toUpperCase()];
  if (!outcome) return { ok: false, message: `Issue d'appel inconnue : « ${dispositionText} ».` };

  // Ringing time of an answered call: from the start to the pickup; without the pickup time, the
  // length of the call less its billed part. An unanswered call waited its whole length.
  let wait = duration;
  if (outcome === "answered") wait = answer ? secondsBetween(start, answer) : duration - billsec;
  if (wait < 0) return { ok: false, message: "Décroché avant le début de l'appel." };

  const uniqueid = (cells[UNIQUEID] ?? "").trim();
  const lastapp = cells[LASTAPP] ?? "";
  const dst = cells[DST] ?? "";
  // A call waiting in a queue is counted on the queue (first argument of Queue()), others on the number dialled.
  const line =
    lastapp === "Queue" || lastapp.toLowerCase() === "queue" ? ((cells[LASTDATA] ?? "").split(QUEUE_ARGUMENT)[0] ?? "").trim() : dst.trim();
  const call: CallRecord = {
    key: uniqueid ? callKey(`u:${uniqueid}|${startText}|${dst}`, start) : lineHash(cells, start),
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
