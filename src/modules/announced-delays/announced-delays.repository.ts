import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { OwnRow } from "./announced-delays.ts";

/** The rows set on any organisation of a path: an organisation's own and its ancestors'. */
export async function rowsOnPath(db: Kysely<DB>, path: string[]): Promise<OwnRow[]> {
  if (!path.length) return [];
  const rows = await db
    .selectFrom("announced_delays")
    .select(["org_id", "channel", "kind", "value", "unit"])
    .where("org_id", "in", path)
    .execute();
  return rows.map((r) => ({ orgId: r.org_id, channel: r.channel, kind: r.kind, value: r.value, unit: r.unit }));
}

/** Replaces an organisation's own rows by these. */
export async function replaceOwn(
  db: Kysely<DB>,
  orgId: string,
  rows: Array<{ channel: string; kind: string; value: number; unit: string }>,
): Promise<void> {
  await db.deleteFrom("announced_delays").where("org_id", "=", orgId).execute();
  if (rows.length)
    await db
      .insertInto("announced_delays")
      .values(rows.map((r) => ({ org_id: orgId, ...r })))
      .execute();
}
