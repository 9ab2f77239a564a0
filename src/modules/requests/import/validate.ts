import type { FieldErrors } from "../../../kernel/errors.ts";
import { fieldErrors } from "../../../kernel/validation.ts";
import { type RequestCreateInput, requestCreateSchema } from "../requests.schema.ts";
import { type ColumnMapping, type Constants, IMPORT_FIELDS, type ImportField, REQUIRED_FIELDS } from "./mapping.ts";
import type { Sheet } from "./sheet.ts";
import { CHANNEL_HINT, channelOf, isoDateOf, KIND_HINT, kindOf } from "./values.ts";

export interface GoodRow {
  line: number;
  input: RequestCreateInput;
}

/** A row that cannot be imported, with a French message per field at fault. */
export interface BadRow {
  line: number;
  errors: FieldErrors;
}

export interface CheckedRows {
  good: GoodRow[];
  bad: BadRow[];
}

/** A value quoted in a message, short enough to read. */
const quote = (raw: string) => `« ${raw.length > 60 ? `${raw.slice(0, 57)}…` : raw} »`;

type Converted = { value: string | undefined } | { error: string };

/** Register words to the codes of the request schema; an empty cell is left for the schema to name. */
function convert(field: ImportField, raw: string): Converted {
  if (raw === "") return { value: undefined };
  switch (field) {
    case "kind": {
      const kind = kindOf(raw);
      return kind ? { value: kind } : { error: `${quote(raw)} n'est pas un type connu (${KIND_HINT}).` };
    }
    case "channel": {
      const channel = channelOf(raw);
      return channel ? { value: channel } : { error: `${quote(raw)} n'est pas un canal connu (${CHANNEL_HINT}).` };
    }
    case "receivedOn": {
      const date = isoDateOf(raw);
      return date ? { value: date } : { error: `${quote(raw)} n'est pas une date reconnue (attendu JJ/MM/AAAA ou AAAA-MM-JJ).` };
    }
    default:
      return { value: raw };
  }
}

/**
 * What is wrong with the mapping itself, before any row is read: a required field with neither a
 * column nor a value for the whole file, or a whole-file value that means nothing.
 */
export function checkMapping(columns: string[], mapping: ColumnMapping, constants: Constants): FieldErrors {
  const errors: FieldErrors = {};
  for (const field of IMPORT_FIELDS) {
    const column = mapping[field];
    if (column !== undefined && (column < 0 || column >= columns.length)) errors[field] = "Cette colonne n'existe pas dans le fichier.";
    const constant = constants[field]?.trim();
    if (constant) {
      const converted = convert(field, constant);
      if ("error" in converted) errors[field] = converted.error;
    } else if (column === undefined && REQUIRED_FIELDS.includes(field)) {
      errors[field] = "Choisissez la colonne qui contient cette information, ou une valeur pour tout le fichier.";
    }
  }
  return errors;
}

/** Every row through the mapping and the request schema, exactly as a request typed in the form. */
export function checkRows(sheet: Sheet, mapping: ColumnMapping, constants: Constants): CheckedRows {
  const good: GoodRow[] = [];
  const bad: BadRow[] = [];
  for (const row of sheet.rows) {
    const values: Record<string, string | undefined> = {};
    const errors: FieldErrors = {};
    for (const field of IMPORT_FIELDS) {
      const column = mapping[field];
      const cell = column === undefined ? "" : (row.cells[column] ?? "");
      const converted = convert(field, cell !== "" ? cell : (constants[field]?.trim() ?? ""));
      if ("error" in converted) errors[field] = converted.error;
      else values[field] = converted.value;
    }
    const parsed = requestCreateSchema.safeParse(values);
    if (parsed.success && Object.keys(errors).length === 0) {
      good.push({ line: row.line, input: parsed.data });
    } else {
      bad.push({ line: row.line, errors: { ...(parsed.success ? {} : fieldErrors(parsed.error)), ...errors } });
    }
  }
  return { good, bad };
}
