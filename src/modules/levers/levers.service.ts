import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import * as repo from "./levers.repository.ts";

export type { Lever, LeverQuery } from "./levers.repository.ts";

export const searchLevers = repo.findLevers;
export const leverCategories = repo.categories;
export const countLevers = repo.countLevers;

/**
 * Levers for the weakest points: those serving any of the given commitments, on the given
 * channels (levers for all channels always qualify), in the lever bank's order.
 */
export async function suggestLevers(db: Kysely<DB>, commitmentIds: string[], channels: string[]): Promise<repo.Lever[]> {
  const found = await Promise.all(commitmentIds.map((commitmentId) => repo.findLevers(db, { commitmentId })));
  const seen = new Set<string>();
  return found.flat().filter((l) => {
    if (seen.has(l.id)) return false;
    seen.add(l.id);
    return !channels.length || l.channel === "all" || channels.includes(l.channel);
  });
}
