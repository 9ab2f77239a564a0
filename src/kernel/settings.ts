import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";

/**
 * The instance's settings (a key and a JSON value; table `settings`, typed in instance.tables.ts): the
 * only code that names the table, so a module keeps its own keys without reaching into the instance's
 * storage (test/architecture.test.ts).
 */

/** The value of a setting as stored (parsed JSON), or undefined when it was never written. */
export async function readSetting(db: Kysely<DB>, key: string): Promise<unknown> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirst();
  return row?.value;
}

/** Writes a setting, replacing its value. */
export async function writeSetting(db: Kysely<DB>, key: string, value: unknown): Promise<void> {
  await db
    .insertInto("settings")
    .values({ key, value: JSON.stringify(value) })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: JSON.stringify(value), updated_at: new Date() }))
    .execute();
}

/**
 * The value of a setting written once: `fresh` is stored if the key has none, and the value that won is
 * returned (servers starting together agree on the first one written).
 */
export async function settingWrittenOnce(db: Kysely<DB>, key: string, fresh: string): Promise<string> {
  await db
    .insertInto("settings")
    .values({ key, value: JSON.stringify(fresh) })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  const row = await db.selectFrom("settings").select("value").where("key", "=", key).executeTakeFirstOrThrow();
  return String(row.value);
}
