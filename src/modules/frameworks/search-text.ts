/**
 * Text as the search compares it: lower case, without accents or apostrophes,
 * so "equipe" finds "équipe" and "l'accueil" is found by "accueil". Pure.
 */
export function searchText(value: string): string {
  return value
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/œ/g, "oe")
    .replace(/æ/g, "ae")
    .replace(/[’'`]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The words of a query, each of which must appear in the text searched. */
export function searchWords(query: string): string[] {
  return searchText(query)
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0)
    .slice(0, 10);
}
