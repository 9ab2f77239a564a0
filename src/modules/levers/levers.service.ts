import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { type Lever, searchLevers } from "../frameworks/frameworks.service.ts";

/** The lever bank's tables belong to the frameworks module, which syncs them with the reference data. */
export type { Lever, LeverQuery } from "../frameworks/frameworks.service.ts";
export { countLevers, leverCategories, searchLevers } from "../frameworks/frameworks.service.ts";

/**
 * Levers for the weakest points: those serving any of the given commitments, on the given
 * channels (levers for all channels always qualify), in the lever bank's order.
 */
export async function suggestLevers(db: Kysely<DB>, commitmentIds: string[], channels: string[]): Promise<Lever[]> {
  const found = await Promise.all(commitmentIds.map((commitmentId) => searchLevers(db, { commitmentId })));
  const seen = new Set<string>();
  return found.flat().filter((l) => {
    if (seen.has(l.id)) return false;
    seen.add(l.id);
    return !channels.length || l.channel === "all" || channels.includes(l.channel);
  });
}
