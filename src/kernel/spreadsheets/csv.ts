import { CsvRecordReader } from "./csv-records.ts";
import { SpreadsheetError, type TableLimits } from "./limits.ts";
import { TableCollector, type TableRecord } from "./table.ts";

/**
 * Text of a CSV file. Excel in France saves "CSV (séparateur : point-virgule)" in Windows-1252,
 * other tools in UTF-8 with or without a byte-order mark, and "Texte Unicode" in UTF-16: a file
 * that is not valid UTF-8 is read as Windows-1252, which has a character for almost every byte.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder("utf-8").decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

/** Windows-1252 from 0x80 to 0x9F, where it differs from Latin-1 (œ, €, ’, «…»); unassigned bytes stay as they are. */
const CP1252_HIGH = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ";

/*
 * Node's TextDecoder("windows-1252") decodes as Latin-1 (nodejs/node#56542): "Vœux" would lose its
 * "œ" and "5 €" its euro sign. Every other byte is the Unicode code point of the same number.
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  return new TextDecoder("latin1").decode(bytes).replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

const SEPARATORS = [";", ",", "\t"] as const;

/** The separator used most on the header line, outside quotes; `;` when there is no telling. */
export function detectSeparator(text: string): string {
  const counts = new Map<string, number>(SEPARATORS.map((s) => [s, 0]));
  let quoted = false;
  // The header line only, and no more than its first 64 KB: a line of a million fields is not read whole.
  const end = Math.min(text.length, 64 * 1024);
  for (let i = 0; i < end; i++) {
    const ch = text.charAt(i);
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: string = ";";
  for (const s of SEPARATORS) if ((counts.get(s) ?? 0) > (counts.get(best) ?? 0)) best = s;
  return best;
}

/** Pieces the text is read in, so a too-long line is refused as soon as it passes the reader's limit. */
const PIECE = 1 << 20;

export function readCsv(bytes: Uint8Array, limits: TableLimits): TableRecord[] {
  const text = decodeText(bytes);
  const reader = new CsvRecordReader(detectSeparator(text.replace(/^\uFEFF/, "")), limits.maxColumns * 2 + 100);
  const table = new TableCollector(limits);
  const take = (records: ReturnType<CsvRecordReader["push"]>) => {
    for (const { line, cells } of records) {
      if (cells === null) throw new SpreadsheetError(`Le fichier CSV est mal formé (vers la ligne ${line}) : vérifiez les guillemets.`);
      table.add(line, cells);
    }
  };
  for (let at = 0; at < text.length; at += PIECE) take(reader.push(text.slice(at, at + PIECE)));
  take(reader.end());
  return table.records;
}
