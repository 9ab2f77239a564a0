import { parse } from "csv-parse/sync";
import { type Sheet, SheetError, toSheet } from "./sheet.ts";

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
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: string = ";";
  for (const s of SEPARATORS) if ((counts.get(s) ?? 0) > (counts.get(best) ?? 0)) best = s;
  return best;
}

export function parseCsv(bytes: Uint8Array): Sheet {
  const text = decodeText(bytes);
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: detectSeparator(text),
      relax_column_count: true,
      // Blank lines stay records, so a row's number is the one Excel shows when it opens the file.
      skip_empty_lines: false,
      bom: true,
    });
  } catch (error) {
    const where = error instanceof Error && "lines" in error && typeof error.lines === "number" ? ` (vers la ligne ${error.lines})` : "";
    throw new SheetError(`Le fichier CSV est mal formé${where} : vérifiez les guillemets.`);
  }
  return toSheet(records.map((cells, i) => ({ line: i + 1, cells })));
}
