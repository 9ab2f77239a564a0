import { readTable, type TableLimits } from "../../../kernel/spreadsheets/read.ts";
import { MAX_COLUMNS, MAX_ROWS, type Sheet, SheetError, toSheet } from "./sheet.ts";

/**
 * What a register may hold. The XML of a workbook at these limits inflates to some 70 MB at worst
 * (a short shared string in each of its million cells); past 100 MB the workbook is refused.
 */
export const REGISTER_LIMITS: TableLimits = {
  maxRows: MAX_ROWS,
  maxColumns: MAX_COLUMNS,
  maxCells: MAX_ROWS * MAX_COLUMNS,
  maxInflatedBytes: 100 * 1024 * 1024,
};

/** Reads an uploaded register (CSV or XLSX) through the shared, bounded reader. */
export async function parseRegister(bytes: Uint8Array): Promise<Sheet> {
  return toSheet(await readTable(bytes, REGISTER_LIMITS));
}

export type { Sheet };
export { SheetError };
