import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { DB } from "../db/schema.ts";
import { AppError } from "./errors.ts";

/**
 * Counts submissions per source on public forms, in the database so every app server sees them.
 * The source address is never stored: only a hash salted with the day, which cannot be reversed
 * to the address and does not link one day's visitors to the next. (The price: the hourly window
 * starts afresh at midnight UTC, a small leak for a spam brake.)
 */
export async function checkRate(
  db: Kysely<DB>,
  bucket: string,
  source: string,
  limit: { max: number; windowMs: number },
  now = new Date(),
): Promise<void> {
  const keyHash = createHash("sha256")
    .update(`${now.toISOString().slice(0, 10)}|${bucket}|${source}`)
    .digest("base64url");
  const since = new Date(now.getTime() - limit.windowMs);
  const row = await db
    .selectFrom("rate_events")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("bucket", "=", bucket)
    .where("key_hash", "=", keyHash)
    .where("at", ">", since)
    .executeTakeFirstOrThrow();
  if (row.n >= limit.max) throw new AppError("rate.limited");
  await db.insertInto("rate_events").values({ bucket, key_hash: keyHash, at: now }).execute();
  await db
    .deleteFrom("rate_events")
    .where("at", "<", new Date(now.getTime() - 2 * 24 * 3600_000))
    .execute();
}
