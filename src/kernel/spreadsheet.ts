/** Tables to download: CSV (RFC 4180, UTF-8 with BOM so Excel reads accents) and XLSX, from the same rows. */
export type Cell = string | number | null | undefined;

export interface Sheet {
  name: string;
  header: string[];
  rows: Cell[][];
}

/**
 * RFC 4180 quoting: a field with a comma, a quote or a line break is quoted, quotes doubled; so is a
 * field with leading or trailing spaces, which some readers would trim; so is a field with a
 * semicolon, the separator French spreadsheets read a CSV with (« ;x » would otherwise start a new
 * column there), and a field starting as a formula does (= + - @ tab, carriage return), so no
 * reader takes it for a bare formula. The staff exports add a `'` guard on top (csvCell).
 */
export function quoteCsv(text: string): string {
  return /[",;\r\n]/.test(text) || /^\s|\s$/.test(text) || /^[=+\-@\t\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  // A cell starting with = + - @ is a formula to a spreadsheet: prefixed so a comment cannot run one.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === "string" ? `'${text}` : text;
  return quoteCsv(safe);
}

export function csvOf(sheet: Pick<Sheet, "header" | "rows">, options: { bom?: boolean } = {}): string {
  const lines = [sheet.header, ...sheet.rows].map((row) => row.map(csvCell).join(","));
  return `${options.bom === false ? "" : "\uFEFF"}${lines.join("\r\n")}\r\n`;
}

export async function xlsxOf(sheets: Sheet[]): Promise<Buffer> {
  // Loaded on first use, not at start (issue #17, point 6): ExcelJS costs ~40 MB and ~0.5 s to load.
  const { default: ExcelJS } = await import("exceljs");
  const book = new ExcelJS.Workbook();
  for (const sheet of sheets) {
    const ws = book.addWorksheet(sheet.name.slice(0, 31));
    ws.addRow(sheet.header).font = { bold: true };
    for (const row of sheet.rows) ws.addRow(row.map((c) => (c === undefined ? null : c)));
    ws.views = [{ state: "frozen", ySplit: 1 }];
    ws.columns.forEach((column) => {
      column.width = 18;
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

export const CSV_TYPE = "text/csv; charset=utf-8";
export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** A download name safe in a header: ASCII letters, digits and dashes. */
export function downloadName(base: string, extension: string): string {
  const slug = base
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase();
  return `attachment; filename="${slug || "export"}.${extension}"`;
}
