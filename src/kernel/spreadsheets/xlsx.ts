import { SaxesParser, type SaxesTagPlain } from "saxes";
import { formatNumber } from "../../ui/format.ts";
import { columnName, SpreadsheetError, type TableLimits, tooManyColumns, unreadableWorkbook } from "./limits.ts";
import { TableCollector, type TableRecord } from "./table.ts";
import { ZipArchive } from "./zip.ts";

/*
 * The first sheet of a workbook, read as a stream: the archive members are inflated piece by piece
 * (zip.ts counts the bytes) and their XML goes through a SAX parser, so neither the archive nor the
 * sheet is ever whole in memory. A cell keeps its place by its reference (« XFD7 »): a lone cell far
 * to the right costs nothing, and one with a value past the column limit stops the reading at once.
 */

/** Excel's limit for one cell; a longer text is no spreadsheet's. */
const MAX_CELL_CHARS = 32_767;

const MAX_RUN = 1 << 20;

type Tag = SaxesTagPlain;
const local = (name: string) => name.slice(name.indexOf(":") + 1);

async function parseXml(
  zip: ZipArchive,
  name: string,
  handlers: { open?: (tag: Tag) => void; close?: (tag: Tag) => void; text?: (text: string) => void },
): Promise<void> {
  const parser = new SaxesParser({ xmlns: false, position: false });
  let failed: unknown;
  parser.on("error", (error) => {
    failed ??= error;
  });
  if (handlers.open) parser.on("opentag", handlers.open);
  if (handlers.close) parser.on("closetag", handlers.close);
  if (handlers.text) parser.on("text", handlers.text);
  // Characters since the last « < »: the parser holds a text, an attribute or a comment whole until
  // it ends, so none may grow past what a cell can hold (with room for markup and entities).
  let run = 0;
  try {
    await zip.read(name, (text) => {
      const lt = text.lastIndexOf("<");
      run = lt < 0 ? run + text.length : text.length - lt - 1;
      if (run > MAX_RUN) throw unreadableWorkbook();
      parser.write(text);
      if (failed) throw failed;
    });
    parser.close();
    if (failed) throw failed;
  } catch (error) {
    if (error instanceof SpreadsheetError) throw error;
    throw unreadableWorkbook();
  }
}

/** Targets of a relationships part, by id and by type (its last path segment). */
async function relationships(zip: ZipArchive, name: string) {
  const byId = new Map<string, string>();
  const byType = new Map<string, string>();
  if (!zip.has(name)) return { byId, byType };
  await parseXml(zip, name, {
    open(tag) {
      if (local(tag.name) !== "Relationship") return;
      const { Id, Type, Target } = tag.attributes;
      if (!Target) return;
      if (Id) byId.set(Id, Target);
      if (Type && !byType.has(Type)) byType.set(Type.slice(Type.lastIndexOf("/") + 1), Target);
    },
  });
  return { byId, byType };
}

/** A target relative to the folder of the part that names it, or absolute from the archive's root. */
function resolve(base: string, target: string): string {
  if (target.startsWith("/")) return target.slice(1);
  const parts = base.split("/").slice(0, -1);
  for (const part of target.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

/** Built-in number formats that show a date or a time (ECMA-376 §18.8.30, with the East Asian ones). */
const DATE_FORMAT_IDS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58,
]);

/** As the spreadsheet library did: a format code with y, m, d, h, s outside quotes and brackets. */
const isDateCode = (code: string) => /[ymdhMsb]/.test(code.replace(/\[[^\]]*]/g, "").replace(/"[^"]*"/g, ""));

/** Which cell styles show dates, by style index. */
async function dateStyles(zip: ZipArchive, name: string | undefined): Promise<boolean[]> {
  const styles: boolean[] = [];
  if (!name || !zip.has(name)) return styles;
  const codes = new Map<number, string>();
  let inCellXfs = false;
  await parseXml(zip, name, {
    open(tag) {
      const n = local(tag.name);
      if (n === "numFmt") codes.set(Number(tag.attributes.numFmtId), tag.attributes.formatCode ?? "");
      else if (n === "cellXfs") inCellXfs = true;
      else if (n === "xf" && inCellXfs) {
        const id = Number(tag.attributes.numFmtId ?? 0);
        const code = codes.get(id);
        styles.push(code !== undefined ? isDateCode(code) : DATE_FORMAT_IDS.has(id));
      }
    },
    close(tag) {
      if (local(tag.name) === "cellXfs") inCellXfs = false;
    },
  });
  return styles;
}

/** The shared strings, with no more of them than the table may have cells. */
async function sharedStrings(zip: ZipArchive, name: string | undefined, limits: TableLimits): Promise<string[]> {
  const strings: string[] = [];
  if (!name || !zip.has(name)) return strings;
  let current: string | undefined;
  let inText = false;
  let inPhonetic = false;
  await parseXml(zip, name, {
    open(tag) {
      const n = local(tag.name);
      if (n === "si") current = "";
      else if (n === "t") inText = true;
      else if (n === "rPh") inPhonetic = true;
    },
    text(text) {
      if (current === undefined || !inText || inPhonetic) return;
      current += text;
      if (current.length > MAX_CELL_CHARS) throw tooLongCell();
    },
    close(tag) {
      const n = local(tag.name);
      if (n === "t") inText = false;
      else if (n === "rPh") inPhonetic = false;
      else if (n === "si" && current !== undefined) {
        strings.push(current);
        current = undefined;
        if (strings.length > limits.maxCells)
          throw new SpreadsheetError("Le classeur contient trop de textes : découpez-le en plusieurs fichiers.");
      }
    },
  });
  return strings;
}

const tooLongCell = () => new SpreadsheetError(`Une cellule du classeur dépasse ${formatNumber(MAX_CELL_CHARS)} caractères.`);

/** « XFD7 » → 16,384. */
function columnOf(reference: string): number {
  let column = 0;
  for (let i = 0; i < reference.length; i++) {
    const c = reference.charCodeAt(i);
    if (c < 65 || c > 90) break;
    column = column * 26 + (c - 64);
    if (column > 16_384) break;
  }
  return column;
}

/** An Excel day number as AAAA-MM-JJ: the calendar day the person typed, whatever the time part. */
function dayOf(serial: number, date1904: boolean): string {
  const date = new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().slice(0, 10);
}

export async function readXlsx(bytes: Uint8Array, limits: TableLimits): Promise<TableRecord[]> {
  const zip = new ZipArchive(bytes, limits.maxInflatedBytes);
  const root = await relationships(zip, "_rels/.rels");
  const workbookName = resolve("", root.byType.get("officeDocument") ?? "xl/workbook.xml");
  if (!zip.has(workbookName)) throw unreadableWorkbook();
  let firstSheet: string | undefined;
  let date1904 = false;
  await parseXml(zip, workbookName, {
    open(tag) {
      const n = local(tag.name);
      if (n === "workbookPr") date1904 = ["1", "true"].includes(tag.attributes.date1904 ?? "");
      else if (n === "sheet" && firstSheet === undefined) {
        firstSheet = Object.entries(tag.attributes).find(([key]) => local(key) === "id" && key !== "sheetId")?.[1] ?? "";
      }
    },
  });
  if (firstSheet === undefined) throw new SpreadsheetError("Le classeur ne contient aucune feuille.");
  const workbookRels = await relationships(zip, resolve(workbookName, `_rels/${workbookName.split("/").pop()}.rels`));
  const sheetTarget = workbookRels.byId.get(firstSheet);
  if (!sheetTarget) throw unreadableWorkbook();
  const sheetName = resolve(workbookName, sheetTarget);
  const stylesTarget = workbookRels.byType.get("styles");
  const stringsTarget = workbookRels.byType.get("sharedStrings");
  const dates = await dateStyles(zip, stylesTarget && resolve(workbookName, stylesTarget));
  const strings = await sharedStrings(zip, stringsTarget && resolve(workbookName, stringsTarget), limits);

  const table = new TableCollector(limits);
  let line = 0;
  let cells: string[] = [];
  let column = 0;
  let cell: { type: string; style: number; value: string; inline: string } | undefined;
  let capture: "value" | "inline" | undefined;
  let inPhonetic = false;
  await parseXml(zip, sheetName, {
    open(tag) {
      const n = local(tag.name);
      if (n === "row") {
        const r = Number(tag.attributes.r);
        line = Number.isInteger(r) && r > line ? r : line + 1;
        cells = [];
        column = 0;
      } else if (n === "c") {
        const ref = tag.attributes.r;
        column = ref ? columnOf(ref) : column + 1;
        cell = { type: tag.attributes.t ?? "n", style: Number(tag.attributes.s ?? 0), value: "", inline: "" };
      } else if (n === "v" && cell) capture = "value";
      else if (n === "t" && cell?.type === "inlineStr") capture = "inline";
      else if (n === "rPh") inPhonetic = true;
    },
    text(text) {
      if (!cell || !capture || inPhonetic) return;
      cell[capture] += text;
      if (cell[capture].length > MAX_CELL_CHARS) throw tooLongCell();
    },
    close(tag) {
      const n = local(tag.name);
      if (n === "v" || n === "t") capture = undefined;
      else if (n === "rPh") inPhonetic = false;
      else if (n === "c" && cell) {
        const text = cellText(cell, strings, dates, date1904);
        cell = undefined;
        if (text === "") return;
        // Refused here, before anything is built for the columns between.
        if (column > limits.maxColumns) throw tooManyColumns(limits, line, columnName(column));
        if (column >= 1) cells[column - 1] = text;
      } else if (n === "row")
        table.add(
          line,
          Array.from(cells, (c) => c ?? ""),
        );
    },
  });
  return table.records;
}

function cellText(
  cell: { type: string; style: number; value: string; inline: string },
  strings: string[],
  dates: boolean[],
  date1904: boolean,
) {
  switch (cell.type) {
    case "s":
      return strings[Number(cell.value)] ?? "";
    case "inlineStr":
      return cell.inline;
    case "str":
      return cell.value;
    case "b":
      return cell.value === "" ? "" : String(cell.value === "1" || cell.value === "true");
    case "e":
      return "";
    case "d":
      return cell.value.slice(0, 10);
    default: {
      if (cell.value.trim() === "") return "";
      const number = Number(cell.value);
      if (Number.isNaN(number)) return cell.value;
      return dates[cell.style] ? dayOf(number, date1904) : String(number);
    }
  }
}
