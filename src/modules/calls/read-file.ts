import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { decodeWindows1252, detectSeparator } from "../../kernel/spreadsheets/csv.ts";
import { type CsvRecord, CsvRecordReader } from "../../kernel/spreadsheets/csv-records.ts";
import type { CallRecord, RecordResult } from "./call-record.ts";
import { parseCdrRecord } from "./cdr.ts";
import { localClock } from "./local-time.ts";
import { type CallMapping, mappedOptions, parseMappedRecord, resolveMapping } from "./mapped.ts";

export type CallFormat = "asterisk" | "mapped";

export interface BadLine {
  line: number;
  message: string;
}

export interface ReadReport {
  rowsRead: number;
  valid: number;
  invalid: number;
  skipped: number;
  /** The first faulty lines, in file order (the count above says how many there are in all). */
  errors: BadLine[];
}

export interface ReadOptions {
  path: string;
  format: CallFormat;
  timeZone: string;
  inboundContexts: string[];
  mapping: CallMapping | null;
  batchSize?: number;
  maxErrors?: number;
  /**
   * Each good call as soon as it is read, instead of batches; `onBatch` is then called with no
   * calls after each piece of the file (the place to write out and report progress). Holding no
   * call objects spares the garbage collector most of its work on files of millions of lines.
   */
  onCall?: (call: CallRecord) => void;
  /** Stop at the first faulty line (FaultyLine thrown) instead of reading on to report them all. */
  stopAtFaultyLine?: boolean;
  onBatch: (calls: CallRecord[], progress: { bytesRead: number; rowsRead: number }) => Promise<void>;
}

/** The mapping does not fit the file: nothing was read. */
export class MappingError extends Error {
  constructor(readonly errors: Record<string, string>) {
    super(Object.values(errors).join(" "));
  }
}

/** The first faulty line, when the reading was asked to stop there. */
export class FaultyLine extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`ligne ${line} : ${reason}`);
  }
}

const SAMPLE_BYTES = 64 * 1024;

/** The first bytes, to tell the encoding and the separator before streaming the rest. */
async function sample(path: string): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SAMPLE_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function looksUtf8(bytes: Buffer): boolean {
  // A sample may end inside a character: the last three bytes are left out of the test.
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, Math.max(0, bytes.length - 3)));
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads a call log as a stream — never the whole file in memory — and hands the good calls over
 * in batches, with the bytes read so far for the progress bar. A faulty line is counted and the
 * first ones kept with their number; the rest of the file is still read, so one pass reports all.
 */
export async function readCallFile(options: ReadOptions): Promise<ReadReport> {
  const head = await sample(options.path);
  const utf8 = looksUtf8(head);
  const headText = utf8 ? head.toString("utf8") : decodeWindows1252(head);
  const delimiter = options.format === "asterisk" ? "," : detectSeparator(headText.replace(/^\uFEFF/, ""));
  const clock = localClock(options.timeZone);
  const contexts = new Set(options.inboundContexts);
  const maxErrors = options.maxErrors ?? 200;
  const batchSize = options.batchSize ?? 5000;

  const reader = new CsvRecordReader(delimiter);
  const decoder = new StringDecoder("utf8");
  const report: ReadReport = { rowsRead: 0, valid: 0, invalid: 0, skipped: 0, errors: [] };
  const bad = (line: number, message: string) => {
    if (options.stopAtFaultyLine) throw new FaultyLine(line, message);
    report.invalid++;
    if (report.errors.length < maxErrors) report.errors.push({ line, message });
  };
  let parseRecord: ((cells: string[]) => RecordResult) | undefined =
    options.format === "asterisk" ? (cells) => parseCdrRecord(cells, { clock, inboundContexts: contexts }) : undefined;
  let batch: CallRecord[] = [];
  let pending: Promise<void> = Promise.resolve();
  let bytesRead = 0;
  const onCall = options.onCall;
  const take = async (records: CsvRecord[]) => {
    for (const { cells, line } of records) {
      if (cells === null) {
        report.rowsRead++;
        bad(line, "Ligne mal formée (guillemets ou séparateurs).");
        continue;
      }
      if (!parseRecord) {
        // The header line of another system's file: the mapping is checked against it.
        if (!options.mapping) throw new MappingError({ map_wait: "Enregistrez d'abord la correspondance des colonnes." });
        const resolved = resolveMapping(options.mapping, cells);
        if (!resolved.ok) throw new MappingError(resolved.errors);
        const mapped = mappedOptions(options.mapping, resolved.at, cells.length, clock);
        parseRecord = (c) => parseMappedRecord(c, mapped);
        continue;
      }
      report.rowsRead++;
      const result = parseRecord(cells);
      if (result.ok === "skip") report.skipped++;
      else if (result.ok) {
        report.valid++;
        if (onCall) {
          onCall(result.call);
          continue;
        }
        batch.push(result.call);
        if (batch.length >= batchSize) {
          // One batch is written while the next is parsed: the database and the parser overlap,
          // and no more than two batches are ever held.
          await pending;
          pending = options.onBatch(batch, { bytesRead, rowsRead: report.rowsRead });
          pending.catch(() => undefined);
          batch = [];
        }
      } else bad(line, result.message);
    }
  };
  const source = createReadStream(options.path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      await take(reader.push(utf8 ? decoder.write(chunk) : decodeWindows1252(chunk)));
      if (onCall) await options.onBatch([], { bytesRead, rowsRead: report.rowsRead });
    }
    await take(reader.push(utf8 ? decoder.end() : ""));
    await take(reader.end());
  } finally {
    source.destroy();
    // Whatever ends the loop, no write is left running behind the caller's back.
    await pending.catch(() => undefined);
  }
  await pending;
  await options.onBatch(batch, { bytesRead, rowsRead: report.rowsRead });
  return report;
}

/** The header line of another system's file, for the mapping form. */
export async function readHeader(path: string): Promise<string[]> {
  const head = await sample(path);
  const text = looksUtf8(head) ? head.toString("utf8") : decodeWindows1252(head);
  const first = text.replace(/^\uFEFF/, "").split(/\r?\n/)[0] ?? "";
  const reader = new CsvRecordReader(detectSeparator(first));
  const [record] = [...reader.push(first), ...reader.end()];
  return (record?.cells ?? []).map((c) => c.trim()).filter(Boolean);
}
