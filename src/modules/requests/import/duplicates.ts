import type { RequestCreateInput } from "../requests.schema.ts";
import type { ExistingRequest } from "./import.repository.ts";
import type { GoodRow } from "./validate.ts";

/** Case and spacing do not make two requests different. */
const norm = (text: string | null | undefined) => (text ?? "").trim().replace(/\s+/g, " ").toLowerCase();

/**
 * What makes a row "the same request": same day, same subject, same requester — by e-mail when
 * there is one, else by name. Nothing extra is stored, so an import is recognised by its content.
 */
export function sameRequestKey(r: { receivedOn: string; subject: string; requesterEmail?: string | null; requesterName?: string | null }) {
  return `${r.receivedOn}|${norm(r.subject)}|${r.requesterEmail ? `@${norm(r.requesterEmail)}` : norm(r.requesterName)}`;
}

export interface Duplicate {
  line: number;
  /** The receipt number of the request already registered. */
  number: string;
}

/**
 * Splits valid rows into new ones and those already registered. Counted, not just matched: a file
 * with two identical rows imported once holds two requests, so importing it again finds both.
 */
export function splitDuplicates(rows: GoodRow[], existing: ExistingRequest[]): { fresh: GoodRow[]; duplicates: Duplicate[] } {
  const pool = new Map<string, string[]>();
  for (const e of existing) {
    const key = sameRequestKey(e);
    pool.set(key, [...(pool.get(key) ?? []), e.number]);
  }
  const fresh: GoodRow[] = [];
  const duplicates: Duplicate[] = [];
  for (const row of rows) {
    const number = pool.get(sameRequestKey(row.input))?.shift();
    if (number) duplicates.push({ line: row.line, number });
    else fresh.push(row);
  }
  return { fresh, duplicates };
}

export const daysOf = (inputs: RequestCreateInput[]) => [...new Set(inputs.map((i) => i.receivedOn))];
