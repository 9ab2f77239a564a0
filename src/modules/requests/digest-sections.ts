import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/**
 * The daily reminder is one e-mail per person: other modules add their own part to it (overdue
 * actions of the plan…) by registering a section here, from their jobs file. A section gets the
 * organisations the person works on and their local date, and returns its text or null.
 */
export type DigestSection = (db: Kysely<DB>, scope: DigestScope) => Promise<string | null>;

/** `accountId`: the person the digest is for (for sections about them, such as their alerts). */
export interface DigestScope {
  orgIds: string[];
  date: string;
  accountId?: string;
}

const sections: DigestSection[] = [];

export function addDigestSection(section: DigestSection): void {
  if (!sections.includes(section)) sections.push(section);
}

export async function digestSections(db: Kysely<DB>, scope: DigestScope): Promise<string[]> {
  const texts: string[] = [];
  for (const section of sections) {
    const text = await section(db, scope);
    if (text) texts.push(text);
  }
  return texts;
}
