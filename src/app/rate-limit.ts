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
/** The stored key of a source: a hash salted with the day (see above). */
export function rateKeyHash(bucket: string, source: string, now: Date): string {
  return createHash("sha256")
    .update(`${now.toISOString().slice(0, 10)}|${bucket}|${source}`)
    .digest("base64url");
}

export async function checkRate(
  db: Kysely<DB>,
  bucket: string,
  source: string,
  limit: { max: number; windowMs: number },
  now = new Date(),
): Promise<void> {
  const keyHash = rateKeyHash(bucket, source, now);
  const since = new Date(now.getTime() - limit.windowMs);
  // One round trip: count the window and, when under the limit, record this event. Two concurrent
  // posts may both pass at the edge of the limit; a spam brake can live with one extra.
  const result = await sql<{ n: number }>`
    with recent as (
      select count(*)::int as n from rate_events where bucket = ${bucket} and key_hash = ${keyHash} and at > ${since}
    ),
    recorded as (
      insert into rate_events (bucket, key_hash, at) select ${bucket}, ${keyHash}, ${now} from recent where n < ${limit.max}
    )
    select n from recent
  `.execute(db);
  if ((result.rows[0]?.n ?? 0) >= limit.max) throw new AppError("rate.limited");
  // Old events are cleared now and then rather than on every post: the table stays small either way.
  if (Math.random() < 0.01) await pruneRateEvents(db, now);
}

/** Events older than two days count for nothing (the window is an hour, the salt a day). */
export async function pruneRateEvents(db: Kysely<DB>, now = new Date()): Promise<void> {
  await db
    .deleteFrom("rate_events")
    .where("at", "<", new Date(now.getTime() - 2 * 24 * 3600_000))
    .execute();
}
