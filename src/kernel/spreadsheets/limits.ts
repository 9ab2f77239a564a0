import { formatNumber } from "../../ui/format.ts";

/**
 * What an uploaded table may hold before it is refused. Every reader checks them while it reads —
 * rows as they end, cells as they are met, archive bytes as they are inflated — so a hostile file is
 * refused long before it could fill the memory.
 */
export interface TableLimits {
  /** Rows after the header line (the first one that is not blank). */
  maxRows: number;
  /** A filled cell past this column is refused; empty ones are ignored. */
  maxColumns: number;
  /** Filled cells in the whole table. */
  maxCells: number;
  /** Bytes inflated from a workbook's archive, counted as they come out of the decompressor. */
  maxInflatedBytes: number;
}

/** A table that cannot be read: the message, in French, is shown to the person as is. */
export class SpreadsheetError extends Error {}

export const tooManyRows = (limits: TableLimits) =>
  new SpreadsheetError(
    `Le fichier contient plus de ${formatNumber(limits.maxRows)} lignes ; ${formatNumber(limits.maxRows)} au plus par import : découpez-le en plusieurs fichiers.`,
  );

export const tooManyColumns = (limits: TableLimits, line: number, column: string) =>
  new SpreadsheetError(
    `Le fichier a une valeur au-delà de la colonne ${formatNumber(limits.maxColumns)} (ligne ${line}, colonne ${column}) : ${formatNumber(limits.maxColumns)} colonnes au plus.`,
  );

export const tooManyCells = (limits: TableLimits) =>
  new SpreadsheetError(
    `Le fichier contient plus de ${formatNumber(limits.maxCells)} cellules remplies : découpez-le en plusieurs fichiers.`,
  );

export const tooLargeUnzipped = () =>
  new SpreadsheetError("Le classeur est trop volumineux une fois décompressé : enregistrez-le en CSV ou découpez-le.");

export const unreadableWorkbook = () =>
  new SpreadsheetError("Le classeur Excel n'a pas pu être lu : enregistrez-le de nouveau au format .xlsx, ou en CSV.");

/** Column letters as a spreadsheet shows them: 1 → A, 27 → AA, 16,384 → XFD. */
export function columnName(index: number): string {
  let name = "";
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

export const unreadableFile = () =>
  new SpreadsheetError("Le fichier n'a pas pu être lu : enregistrez-le de nouveau au format .xlsx, ou en CSV.");
