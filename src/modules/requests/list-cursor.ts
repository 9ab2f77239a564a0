import { AppError } from "../../kernel/errors.ts";
import type { ListKey, RequestSort } from "./requests.repository.ts";

/**
 * The cursor of a request list's « Suivant » and « Précédent » links: the order and the sort key of
 * the row the page starts after (or ends before), in base64url so it sits in a query string. It is
 * read back with care: a link edited by hand or from an older order is refused in French, never a 500.
 */
export function encodeCursor(sort: RequestSort, key: ListKey): string {
  return Buffer.from(JSON.stringify({ s: sort, k: key })).toString("base64url");
}

const INVALID = "Ce lien de page n'est plus valable : revenez à la première page de la liste.";

function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}

export function decodeCursor(sort: RequestSort, cursor: string, length: number, field: "after" | "before"): ListKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new AppError("validation", { fields: { [field]: INVALID } });
  }
  const value = parsed as { s?: unknown; k?: unknown };
  const key = value?.k;
  const valid =
    value?.s === sort &&
    Array.isArray(key) &&
    key.length === length &&
    key.every((part) => typeof part === "string" && part.length <= 40) &&
    // The last part is the row's id; the first are dates, or a receipt number (bound as text).
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(String(key[key.length - 1])) &&
    key.slice(0, -1).every((part) => (sort === "number" ? String(part).length > 0 : isDate(String(part))));
  if (!valid) throw new AppError("validation", { fields: { [field]: INVALID } });
  return key as ListKey;
}
