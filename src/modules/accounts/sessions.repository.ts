import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";

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

export async function recordFailedLogin(db: Kysely<DB>, email: string, source: string): Promise<void> {
  await db.insertInto("login_attempts").values({ email, source }).execute();
}

export async function countFailedLogins(db: Kysely<DB>, since: Date, email: string, source: string) {
  const row = await db
    .selectFrom("login_attempts")
    .select([
      sql<number>`count(*) filter (where email = ${email})::int`.as("byEmail"),
      sql<number>`count(*) filter (where source = ${source})::int`.as("bySource"),
    ])
    .where("at", ">", since)
    .where((eb) => eb.or([eb("email", "=", email), eb("source", "=", source)]))
    .executeTakeFirstOrThrow();
  return row;
}

export async function purgeOld(db: Kysely<DB>, before: Date): Promise<void> {
  await db.deleteFrom("login_attempts").where("at", "<", before).execute();
  await db.deleteFrom("sessions").where("expires_at", "<", before).execute();
}
