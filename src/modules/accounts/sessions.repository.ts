import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { readSetting, writeSetting } from "../../kernel/settings.ts";

export async function insertSession(db: Kysely<DB>, tokenHash: string, accountId: string, expiresAt: Date): Promise<void> {
  await db.insertInto("sessions").values({ token_hash: tokenHash, account_id: accountId, expires_at: expiresAt }).execute();
}

export async function findSession(db: Kysely<DB>, tokenHash: string) {
  return db
    .selectFrom("sessions as s")
    .innerJoin("accounts as a", "a.id", "s.account_id")
    .select([
      "s.token_hash",
      "s.created_at",
      "s.last_seen_at",
      "s.expires_at",
      "a.id as account_id",
      "a.email",
      "a.display_name",
      "a.instance_admin",
      "a.active",
    ])
    .where("s.token_hash", "=", tokenHash)
    .executeTakeFirst();
}

export async function extendSession(db: Kysely<DB>, tokenHash: string, expiresAt: Date): Promise<void> {
  await db.updateTable("sessions").set({ last_seen_at: new Date(), expires_at: expiresAt }).where("token_hash", "=", tokenHash).execute();
}

export async function deleteSession(db: Kysely<DB>, tokenHash: string): Promise<void> {
  await db.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
}

export async function deleteSessionsOf(db: Kysely<DB>, accountId: string): Promise<void> {
  await db.deleteFrom("sessions").where("account_id", "=", accountId).execute();
}

export const DEMO_INSTANCE_SETTING = "demo_instance";

export async function isDemoInstance(db: Kysely<DB>): Promise<boolean> {
  return (await readSetting(db, DEMO_INSTANCE_SETTING)) === true;
}

export async function markDemoInstance(db: Kysely<DB>): Promise<void> {
  await writeSetting(db, DEMO_INSTANCE_SETTING, true);
}

export async function purgeOld(db: Kysely<DB>, before: Date): Promise<void> {
  await db.deleteFrom("login_attempts").where("at", "<", before).execute();
  await db.deleteFrom("sessions").where("expires_at", "<", before).execute();
}
