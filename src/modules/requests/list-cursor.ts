import * as cursors from "../../kernel/cursor.ts";
import type { ListKey, RequestSort } from "./requests.repository.ts";

/**
 * The cursor of a request list's « Suivant » and « Précédent » links: the order and the sort key of
 * the row the page starts after (or ends before), in base64url so it sits in a query string. It is
 * read back with care: a link edited by hand or from an older order is refused in French, never a 500.
 */
export function encodeCursor(sort: RequestSort, key: ListKey): string {
  return cursors.encodeCursor({ s: sort, k: key });
}

function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const day = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
}

export function decodeCursor(sort: RequestSort, cursor: string, length: number, field: "after" | "before"): ListKey {
  const { k } = cursors.decodeCursor<{ k: ListKey }>(
    cursor,
    (value) => {
      const { s, k: key } = (value ?? {}) as { s?: unknown; k?: unknown };
      return (
        s === sort &&
        Array.isArray(key) &&
        key.length === length &&
        key.every((part) => typeof part === "string" && part.length <= 40) &&
        // The last part is the row's id; the first are dates, or a receipt number (bound as text).
        cursors.isUuid(key[key.length - 1]) &&
        key.slice(0, -1).every((part) => (sort === "number" ? String(part).length > 0 : isDate(String(part))))
      );
    },
    field,
  );
  return k;
}
