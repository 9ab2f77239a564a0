import ExcelJS from "exceljs";
import { type Sheet, SheetError, toSheet } from "./sheet.ts";
import { guardUnzippedSize } from "./zip-guard.ts";

type Value = ExcelJS.CellValue;

/**
 * A cell as text. Real dates become AAAA-MM-JJ: Excel stores a day number, which the library turns
 * into a date at midnight UTC, so the UTC calendar day is the day the person typed.
 */
export function cellText(value: Value): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : value.toISOString().slice(0, 10);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if ("richText" in value) return value.richText.map((r) => r.text).join("");
  if ("hyperlink" in value) return value.text;
  if ("error" in value) return "";
  // A formula: what it last computed, as saved by Excel.
  return value.result === undefined ? "" : cellText(value.result);
}

/** The first sheet of a workbook, row numbers as Excel shows them. */
export async function parseXlsx(bytes: Uint8Array): Promise<Sheet> {
  guardUnzippedSize(bytes);
  const workbook = new ExcelJS.Workbook();
  try {
    // The library reads an ArrayBuffer (its own `Buffer` type): a copy of exactly the file's bytes.
    await workbook.xlsx.load(bytes.slice().buffer);
  } catch {
    throw new SheetError("Le classeur Excel n'a pas pu être lu : enregistrez-le de nouveau au format .xlsx, ou en CSV.");
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new SheetError("Le classeur ne contient aucune feuille.");
  const records: Array<{ line: number; cells: string[] }> = [];
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: string[] = [];
    // Cells are numbered from 1; a missing cell is an empty string, so columns stay aligned.
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    records.push({ line, cells: Array.from(cells, (c) => c ?? "") });
  });
  return toSheet(records);
}
