import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import { contributionPoint } from "./contributions.ts";

/**
 * The daily reminder is one e-mail per person (sent by the requests module): other modules add their
 * own part to it (overdue actions of the plan, unread alerts…) by handing a section to this point in
 * their module description. A section gets the organisations the person works on and their local
 * date, and returns its text or null. The point lives in the kernel because the modules that feed it
 * (alerts) are themselves used by the module that sends the e-mail (requests).
 */
export type DigestSection = (db: Kysely<DB>, scope: DigestScope) => Promise<string | null>;

/** `accountId`: the person the digest is for (for sections about them, such as their alerts). */
export interface DigestScope {
  orgIds: string[];
  date: string;
  accountId?: string;
}

export const digestSectionPoint = contributionPoint<DigestSection>("digest.sections");

export async function digestSections(db: Kysely<DB>, scope: DigestScope): Promise<string[]> {
  const texts: string[] = [];
  for (const section of digestSectionPoint.items()) {
    const text = await section(db, scope);
    if (text) texts.push(text);
  }
  return texts;
}
