import { formatNumber } from "../../ui/format.ts";
import { SpreadsheetError } from "./limits.ts";

/**
 * A streaming CSV reader for every uploaded table (call logs, registers, plans), written for speed:
 * csv-parse reads a Master.csv at 70–90 k lines/s here, this one at several hundred thousand (see docs/performance.md). It reads RFC 4180
 * records — fields optionally between double quotes, a quote inside doubled, a separator or a line
 * break inside quotes kept — which covers Asterisk's `cdr_csv` (every text field quoted, caller ids
 * such as `"""Mairie"" <0145>"`, queue arguments with commas) and the exports of other systems.
 *
 * What csv-parse did for the import, this does too: a byte-order mark is dropped, empty lines are
 * skipped, `\r\n` and `\n` both end a line, records may have any number of fields, and a record
 * with a stray quote is reported (`cells: null`) and skipped without stopping the file. A record's
 * `line` is the number of its first line in the file, counted from 1.
 */
export interface CsvRecord {
  line: number;
  /** The fields, or null when the record is malformed (a quote out of place, or never closed). */
  cells: string[] | null;
}

/** A quoted field never closed is given up after this many characters, as one faulty line. */
const MAX_RECORD = 1 << 20;
/** More fields than this in one record stops the reading: no table read here is that wide. */
export const MAX_FIELDS = 1000;

export class CsvRecordReader {
  private carry = "";
  private line = 1;
  private started = false;

  constructor(
    private readonly delimiter: string,
    private readonly maxFields = MAX_FIELDS,
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
      throw new Error(`séparateur invalide : ${delimiter}`);
    }
  }

  /** The records completed by this piece of text; an unfinished last record waits for the next piece. */
  push(text: string): CsvRecord[] {
    let input = this.carry + text;
    if (!this.started && input.length > 0) {
      this.started = true;
      if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
    }
    const out: CsvRecord[] = [];
    this.carry = input.slice(this.parse(input, false, out));
    // A line that never ends (a million fields, no line break) is refused, not carried on growing.
    if (this.carry.length > MAX_RECORD) throw tooLong(this.line);
    return out;
  }

  /** The last record, when the file does not end with a line break. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    this.parse(this.carry, true, out);
    this.carry = "";
    return out;
  }

  /** Parses whole records from `text`; returns where the first unfinished one starts. */
  private parse(text: string, final: boolean, out: CsvRecord[]): number {
    const d = this.delimiter;
    const len = text.length;
    let pos = 0;
    // The next line break, searched once per line rather than once per field: a line of a million
    // fields would otherwise be scanned a million times.
    let nlFrom = -1;
    let nlAt = -1;
    const nextLineBreak = (from: number) => {
      if (nlFrom < 0 || from < nlFrom || (nlAt >= 0 && nlAt < from)) {
        nlFrom = from;
        nlAt = text.indexOf("\n", from);
      }
      return nlAt;
    };
    for (;;) {
      if (pos >= len) return pos;
      const recordStart = pos;
      const c0 = text.charCodeAt(pos);
      // Empty line (\n or \r\n): skipped, counted.
      if (c0 === 10 || (c0 === 13 && text.charCodeAt(pos + 1) === 10)) {
        pos += c0 === 10 ? 1 : 2;
        this.line++;
        continue;
      }
      if (c0 === 13 && pos + 1 >= len && !final) return recordStart;
      const cells: string[] = [];
      let newlines = 0;
      let bad = false;
      let done = false;
      while (!done) {
        if (text.charCodeAt(pos) === 34) {
          // Quoted field: up to the closing quote, doubled quotes kept as one.
          let p = pos + 1;
          let value = "";
          let closed = false;
          for (;;) {
            const q = text.indexOf('"', p);
            if (q < 0) break;
            if (text.charCodeAt(q + 1) === 34) {
              value += text.slice(p, q + 1);
              p = q + 2;
              continue;
            }
            if (q + 1 >= len && !final) break; // the quote may be the first of a doubled pair
            value += text.slice(p, q);
            p = q + 1;
            closed = true;
            break;
          }
          if (!closed) {
            if (!final && len - recordStart <= MAX_RECORD) return recordStart;
            // Never closed: one faulty record, the rest of its line dropped.
            const nl = text.indexOf("\n", recordStart);
            out.push({ line: this.line, cells: null });
            this.line++;
            pos = nl < 0 ? len : nl + 1;
            bad = true;
            break;
          }
          for (let i = value.indexOf("\n"); i >= 0; i = value.indexOf("\n", i + 1)) newlines++;
          cells.push(value);
          const c = text.charCodeAt(p);
          if (p >= len) {
            if (!final) return recordStart;
            pos = p;
            done = true;
          } else if (c === d.charCodeAt(0)) {
            pos = p + 1;
            if (pos >= len && !final) return recordStart;
            if (pos >= len) {
              cells.push("");
              done = true;
            }
          } else if (c === 10) {
            pos = p + 1;
            done = true;
          } else if (c === 13 && text.charCodeAt(p + 1) === 10) {
            pos = p + 2;
            done = true;
          } else if (c === 13 && p + 1 >= len && !final) {
            return recordStart;
          } else {
            bad = true;
          }
        } else {
          const nl = nextLineBreak(pos);
          if (nl < 0 && !final) return recordStart;
          const lineEnd = nl < 0 ? len : nl;
          const sep = text.indexOf(d, pos);
          if (sep >= 0 && sep < lineEnd) {
            const value = text.slice(pos, sep);
            if (value.includes('"')) bad = true;
            cells.push(value);
            pos = sep + 1;
            if (pos >= len) {
              cells.push("");
              done = true;
            }
          } else {
            let end = lineEnd;
            if (end > pos && text.charCodeAt(end - 1) === 13) end--;
            const value = text.slice(pos, end);
            if (value.includes('"')) bad = true;
            cells.push(value);
            pos = nl < 0 ? len : nl + 1;
            done = true;
          }
        }
        if (cells.length > this.maxFields) throw tooWide(this.line, this.maxFields);
        if (bad) {
          // A stray quote: the record is reported and the reading goes on at the next line.
          if (!done) {
            const nl = text.indexOf("\n", pos);
            if (nl < 0 && !final) return recordStart;
            pos = nl < 0 ? len : nl + 1;
          }
          out.push({ line: this.line, cells: null });
          this.line += 1 + newlines;
          break;
        }
      }
      if (!bad) {
        out.push({ line: this.line, cells });
        this.line += 1 + newlines;
      }
    }
  }
}

const tooWide = (line: number, max: number) =>
  new SpreadsheetError(`La ligne ${line} du fichier a plus de ${formatNumber(max)} colonnes : est-ce bien un tableau ?`);

const tooLong = (line: number) =>
  new SpreadsheetError(`La ligne ${line} du fichier dépasse 1 Mo sans fin de ligne : est-ce bien un tableau ?`);
