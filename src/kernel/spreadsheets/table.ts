import { columnName, type TableLimits, tooManyCells, tooManyColumns, tooManyRows } from "./limits.ts";

/** One line of an uploaded table: its number as the spreadsheet shows it (from 1), and its cells. */
export interface TableRecord {
  line: number;
  cells: string[];
}

/**
 * Keeps the records of a table as a reader finds them, and refuses the table the moment it passes a
 * limit. Blank lines are left out (their numbers are kept by the next ones); trailing empty cells too.
 */
export class TableCollector {
  readonly records: TableRecord[] = [];
  private cells = 0;

  constructor(private readonly limits: TableLimits) {}

  add(line: number, cells: string[]): void {
    let end = cells.length;
    while (end > 0 && (cells[end - 1] ?? "").trim() === "") end--;
    if (end === 0) return;
    if (end > this.limits.maxColumns) throw tooManyColumns(this.limits, line, columnName(end));
    // The first record is the header: the limit counts the rows after it.
    if (this.records.length > this.limits.maxRows) throw tooManyRows(this.limits);
    for (let i = 0; i < end; i++) if (cells[i]) this.cells++;
    if (this.cells > this.limits.maxCells) throw tooManyCells(this.limits);
    this.records.push({ line, cells: Array.from({ length: end }, (_, i) => cells[i] ?? "") });
  }
}
