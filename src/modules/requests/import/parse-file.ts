import { parseCsv } from "./parse-csv.ts";
import { parseXlsx } from "./parse-xlsx.ts";
import { type Sheet, SheetError } from "./sheet.ts";

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/**
 * Reads an uploaded register. The content decides, not the name: a file renamed .csv that is
 * really a workbook is still read, and an old .xls gets a message saying what to do.
 */
export async function parseRegister(bytes: Uint8Array): Promise<Sheet> {
  if (bytes.length === 0) throw new SheetError("Le fichier est vide.");
  // An .xlsx is a zip archive.
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return parseXlsx(bytes);
  // The compound file of Excel 97-2003 (.xls).
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    throw new SheetError("Les classeurs Excel 97-2003 (.xls) ne sont pas lus : enregistrez le fichier au format .xlsx ou CSV.");
  }
  if (bytes.subarray(0, 4096).includes(0) && !startsWith(bytes, [0xff, 0xfe]) && !startsWith(bytes, [0xfe, 0xff])) {
    throw new SheetError("Ce fichier n'est ni un tableau CSV ni un classeur .xlsx.");
  }
  return parseCsv(bytes);
}

export type { Sheet };
export { SheetError };
