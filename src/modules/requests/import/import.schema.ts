import { z } from "zod";
import { type ColumnMapping, type Constants, IMPORT_FIELDS } from "./mapping.ts";
import { MAX_COLUMNS, MAX_ROWS } from "./sheet.ts";

/** Fields of the mapping form: `map_<field>` the column index, `const_<field>` a value for the whole file. */
export const mapName = (field: string) => `map_${field}`;
export const constName = (field: string) => `const_${field}`;

export const orgParams = z.object({ orgId: z.string().uuid() });
export const importParams = z.object({ orgId: z.string().uuid(), importId: z.string().uuid() });
/** `auto=0`: the import's page stops reloading itself. */
export const importStatusQuery = z.object({ auto: z.string().optional() });

const fieldRecord = z.partialRecord(z.enum(IMPORT_FIELDS), z.string().max(500));

/** The JSON import: the rows already read by the caller, their columns named as in the file's header. */
export const importApiBody = z.object({
  columns: z.array(z.string().max(500)).min(1, "Indiquez les colonnes.").max(MAX_COLUMNS),
  rows: z
    .array(z.array(z.string().max(20_000)).max(MAX_COLUMNS))
    .min(1, "Aucune ligne à importer.")
    .max(MAX_ROWS, `${MAX_ROWS} lignes au plus par import.`),
  /** Vigie field → column name; by default, proposed from the column names. */
  mapping: fieldRecord.optional(),
  /** Vigie field → value for every row whose cell is empty or whose field has no column. */
  constants: fieldRecord.optional(),
});

export const importApiQuery = z.object({
  dryRun: z.enum(["true", "false"]).default("true"),
});

export const importApiReport = z.object({
  rows: z.number(),
  valid: z.number(),
  invalid: z.array(z.object({ line: z.number(), errors: z.record(z.string(), z.string()) })),
  duplicates: z.array(z.object({ line: z.number(), number: z.string() })),
  created: z.array(z.object({ line: z.number(), id: z.string(), number: z.string() })),
});

/** A form's fields, whatever was posted: only strings are kept. */
export function formFields(body: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (typeof body !== "object" || body === null) return fields;
  for (const [key, value] of Object.entries(body)) if (typeof value === "string") fields[key] = value;
  return fields;
}

/** The mapping chosen on the page: a column index per field, and the whole-file values. */
export function choicesFromForm(fields: Record<string, string>, columnCount: number): { mapping: ColumnMapping; constants: Constants } {
  const mapping: ColumnMapping = {};
  const constants: Constants = {};
  for (const field of IMPORT_FIELDS) {
    const column = fields[mapName(field)] ?? "";
    if (/^\d{1,3}$/.test(column) && Number(column) < columnCount) mapping[field] = Number(column);
    const constant = (fields[constName(field)] ?? "").trim();
    if (constant) constants[field] = constant.slice(0, 500);
  }
  return { mapping, constants };
}
