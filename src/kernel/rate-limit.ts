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

export interface Limit {
  max: number;
  windowMs: number;
}

function windowStart(windowMs: number, now: Date): Date {
  return new Date(Math.floor(now.getTime() / windowMs) * windowMs);
}

/**
 * Counts one hit and returns the count, in one statement: `INSERT … ON CONFLICT DO UPDATE … RETURNING`
 * takes the row lock, so N parallel hits get the counts 1…N and exactly `max` of them pass. A
 * separate read then write (as before) let 150 parallel guesses all read « under the limit ».
 * Fixed windows: a burst across a window's edge may get twice the limit, never more.
 */
export async function countHit(db: Kysely<DB>, bucket: string, source: string, limit: Limit, now = new Date()): Promise<number> {
  const counter = hitCounter(bucket, source, limit, now);
  const row = await db
    .insertInto("rate_counters")
    .values({ bucket, key_hash: counter.keyHash, window_start: counter.windowStart })
    .onConflict((oc) => oc.columns(["bucket", "key_hash", "window_start"]).doUpdateSet({ hits: sql`rate_counters.hits + 1` }))
    .returning("hits")
    .executeTakeFirstOrThrow();
  if (Math.random() < 0.01) await pruneRateCounters(db, now);
  return row.hits;
}

/**
 * The counter a hit goes to, for a module whose own statement takes the hit (as `countHit` does) so that the
 * count and the write it guards make one round trip: the survey answer (migration 0037).
 */
export function hitCounter(bucket: string, source: string, limit: Limit, now = new Date()) {
  return { bucket, keyHash: rateKeyHash(bucket, source, now), windowStart: windowStart(limit.windowMs, now), max: limit.max };
}
export type HitCounter = ReturnType<typeof hitCounter>;

/** Counts a hit and refuses it (`rate.limited`, or the code given) beyond the limit. */
export async function takeHit(
  db: Kysely<DB>,
  bucket: string,
  source: string,
  limit: Limit,
  now = new Date(),
  code: "rate.limited" | "auth.rate_limited" | "auth.locked" = "rate.limited",
): Promise<void> {
  if ((await countHit(db, bucket, source, limit, now)) > limit.max) throw new AppError(code);
}

/** Gives back a hit that turned out not to count (a login that succeeded). */
export async function returnHit(db: Kysely<DB>, bucket: string, source: string, limit: Limit, now = new Date()): Promise<void> {
  await db
    .updateTable("rate_counters")
    .set({ hits: sql`greatest(hits - 1, 0)` })
    .where("bucket", "=", bucket)
    .where("key_hash", "=", rateKeyHash(bucket, source, now))
    .where("window_start", "=", windowStart(limit.windowMs, now))
    .execute();
}

/** Forgets a source's hits in the current window (an account whose owner proved it by e-mail). */
export async function clearHits(db: Kysely<DB>, bucket: string, source: string, now = new Date()): Promise<void> {
  await db
    .deleteFrom("rate_counters")
    .where("bucket", "=", bucket)
    .where("key_hash", "=", rateKeyHash(bucket, source, now))
    .execute();
}

export async function pruneRateCounters(db: Kysely<DB>, now = new Date()): Promise<void> {
  await db
    .deleteFrom("rate_counters")
    .where("window_start", "<", new Date(now.getTime() - 2 * 24 * 3600_000))
    .execute();
}

/** Who posts a public form: the address, shared by a whole town hall behind one router, and the browser. */
export interface PublicSource {
  address: string;
  /** The browser's own cookie (the CSRF nonce every form post carries); undefined for a bare API call. */
  browser: string | undefined;
}

/**
 * A public form's limit per browser, plus a much higher ceiling per address: the people of a town
 * behind one address each keep their own allowance, and a robot that drops its cookies still meets
 * the address ceiling.
 */
export async function takePublicHit(
  db: Kysely<DB>,
  bucket: string,
  source: PublicSource,
  limits: { perBrowser: Limit; perAddress: Limit },
  now = new Date(),
): Promise<void> {
  const browserKey = `${source.address}|${source.browser ?? ""}`;
  await takeHit(db, `${bucket}:browser`, browserKey, limits.perBrowser, now);
  await takeHit(db, `${bucket}:address`, source.address, limits.perAddress, now);
}
