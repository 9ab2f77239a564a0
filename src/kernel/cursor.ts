import { AppError } from "./errors.ts";

/**
 * The cursor of a list's « Suivant » link (keyset pagination): the sort key of the row a page starts
 * after, as JSON in base64url so it sits in a query string. It is read back with care: a link edited by
 * hand, or made for an older order, is refused in French on its field, never a 500 and never a query
 * with a key of the wrong shape.
 */
export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export const STALE_PAGE_LINK = "Ce lien de page n'est plus valable : revenez à la première page de la liste.";

/** The key a cursor holds, once `valid` has checked its shape; otherwise a validation error on `field`. */
export function decodeCursor<K>(cursor: string, valid: (key: unknown) => boolean, field = "after"): K {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    key = undefined;
  }
  if (key === undefined || !valid(key)) throw new AppError("validation", { fields: { [field]: STALE_PAGE_LINK } });
  return key as K;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A row id in a cursor: the tie-breaker every keyset order ends with. */
export const isUuid = (value: unknown): boolean => typeof value === "string" && UUID.test(value);
