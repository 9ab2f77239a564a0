import { SpreadsheetError as SheetError } from "../../../kernel/spreadsheets/limits.ts";

/**
 * A spreadsheet as the import sees it: a header row and rows of strings, each row keeping the
 * line number the person sees in their spreadsheet (the header is line 1), so every message
 * about a row points at the right place in the file.
 */
export interface Sheet {
  columns: string[];
  rows: SheetRow[];
}

export interface SheetRow {
  line: number;
  cells: string[];
}

/** Enough for a register of several years; more would not fit in the pages between the steps. */
export const MAX_ROWS = 10_000;
export const MAX_COLUMNS = 100;

const isBlank = (cells: string[]) => cells.every((c) => c.trim() === "");

/** Builds the sheet from raw records, the first non-blank one being the header. */
export function toSheet(records: Array<{ line: number; cells: string[] }>): Sheet {
  const filled = records.filter((r) => !isBlank(r.cells));
  const [header, ...rows] = filled;
  if (!header) throw new SheetError("Le fichier est vide.");
  const columns = trimEnd(header.cells).map((c) => c.trim());
  if (columns.length > MAX_COLUMNS) throw new SheetError(`Le fichier a plus de ${MAX_COLUMNS} colonnes : est-ce bien un registre ?`);
  if (rows.length === 0) throw new SheetError("Le fichier ne contient que la ligne d'en-tête : aucune demande à importer.");
  if (rows.length > MAX_ROWS) {
    throw new SheetError(`Le fichier contient ${rows.length} lignes ; ${MAX_ROWS} au plus par import : découpez-le en plusieurs fichiers.`);
  }
  return {
    columns,
    rows: rows.map((r) => ({ line: r.line, cells: columns.map((_, i) => (r.cells[i] ?? "").trim()) })),
  };
}

/** Spreadsheets often carry empty cells after the last real column. */
function trimEnd(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && (cells[end - 1] ?? "").trim() === "") end--;
  return cells.slice(0, end);
}

/** A file that cannot be read as a register: the message is shown to the person as is. */
export { SheetError };
