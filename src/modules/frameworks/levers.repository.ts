import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { LeverChannel } from "./reference-data.ts";
import { searchWords } from "./search-text.ts";

export interface Lever {
  id: string;
  /** The Marianne 2008 commitment the lever bank files it under. */
  commitmentId: string;
  channel: LeverChannel;
  category: string;
  text: string;
  /** Every commitment it serves, in every framework. */
  commitments: string[];
}

export interface LeverQuery {
  frameworkId?: string | undefined;
  commitmentId?: string | undefined;
  channel?: LeverChannel | undefined;
  category?: string | undefined;
  q?: string | undefined;
  limit?: number | undefined;
}

export async function findLevers(db: Kysely<DB>, query: LeverQuery): Promise<Lever[]> {
  let q = db
    .selectFrom("levers as l")
    .select([
      "l.id",
      "l.commitment_id",
      "l.channel",
      "l.category",
      "l.text",
      sql<string[]>`array(select lc.commitment_id from lever_commitments lc where lc.lever_id = l.id order by lc.commitment_id)`.as(
        "commitments",
      ),
    ]);
  if (query.commitmentId) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("lever_commitments as lc")
          .select(sql`1`.as("x"))
          .whereRef("lc.lever_id", "=", "l.id")
          .where("lc.commitment_id", "=", query.commitmentId ?? ""),
      ),
    );
  } else if (query.frameworkId) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("lever_commitments as lc")
          .innerJoin("commitments as c", "c.id", "lc.commitment_id")
          .select(sql`1`.as("x"))
          .whereRef("lc.lever_id", "=", "l.id")
          .where("c.framework_id", "=", query.frameworkId ?? ""),
      ),
    );
  }
  if (query.channel) q = q.where("l.channel", "=", query.channel);
  if (query.category) q = q.where("l.category", "=", query.category);
  for (const word of searchWords(query.q ?? "")) q = q.where("l.search", "like", `%${word}%`);
  const rows = await q
    .orderBy("l.position")
    .limit(query.limit ?? 1000)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    commitmentId: r.commitment_id,
    // Written from the schema-checked lever file by the sync.
    channel: r.channel as LeverChannel,
    category: r.category,
    text: r.text,
    commitments: r.commitments,
  }));
}

export async function categories(db: Kysely<DB>): Promise<string[]> {
  const rows = await db.selectFrom("levers").select("category").distinct().orderBy("category").execute();
  return rows.map((r) => r.category);
}

export async function countLevers(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom("levers").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
  return row.n;
}
