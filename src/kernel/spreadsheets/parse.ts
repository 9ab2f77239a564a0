import { readCsv } from "./csv.ts";
import { SpreadsheetError, type TableLimits } from "./limits.ts";
import type { TableRecord } from "./table.ts";
import { readXlsx } from "./xlsx.ts";

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/**
 * Reads an uploaded table, CSV or XLSX, within its limits. The content decides, not the name: a file
 * renamed .csv that is really a workbook is still read, and an old .xls gets a message saying what to
 * do. Runs inside the reading worker (read.ts), never on the server's own thread.
 */
export async function parseTable(bytes: Uint8Array, limits: TableLimits): Promise<TableRecord[]> {
  if (bytes.length === 0) throw new SpreadsheetError("Le fichier est vide.");
  // An .xlsx is a zip archive.
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return readXlsx(bytes, limits);
  // The compound file of Excel 97-2003 (.xls).
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    throw new SpreadsheetError("Les classeurs Excel 97-2003 (.xls) ne sont pas lus : enregistrez le fichier au format .xlsx ou CSV.");
  }
  if (bytes.subarray(0, 4096).includes(0) && !startsWith(bytes, [0xff, 0xfe]) && !startsWith(bytes, [0xfe, 0xff])) {
    throw new SpreadsheetError("Ce fichier n'est ni un tableau CSV ni un classeur .xlsx.");
  }
  return readCsv(bytes, limits);
}
