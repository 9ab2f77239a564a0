import { once } from "node:events";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { Kysely, PostgresDialect, sql } from "kysely";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { DB } from "../../db/schema.ts";
import type { CallRecord } from "./call-record.ts";
import { waitBucket } from "./wait-buckets.ts";

/**
 * The fast way in, on PostgreSQL: the calls of a file go straight into `calls` by `COPY … FROM
 * STDIN (FORMAT binary)` inside one transaction, while the rollups are counted here, in memory,
 * and added at the end of the same transaction. Nothing is visible before the commit, so an
 * interrupted import leaves nothing. A call already known makes the COPY fail (unique key): the
 * caller then takes the careful way (staging table, `ON CONFLICT DO NOTHING`).
 */

/** More rollup groups than this (a file of thousands of lines × months × quarter hours): the careful way. */
export const MAX_GROUPS = 500_000;

export class TooManyGroups extends Error {}

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const PG_EPOCH_DAYS = PG_EPOCH_MS / 86_400_000;
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const CHUNK = 1 << 20;
const DASHES = /-/g;
const TRAILER = Buffer.from([0xff, 0xff]);
const OUTCOME_BYTES: Record<string, Buffer> = {
  answered: Buffer.from("answered"),
  abandoned: Buffer.from("abandoned"),
  busy: Buffer.from("busy"),
  failed: Buffer.from("failed"),
};

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ""), "hex");
}

/** Days since 1970-01-01 of `YYYY-MM-DD`. */
function epochDays(day: string): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / 86_400_000;
}

interface SlotTotals {
  month: string;
  line: string;
  dow: number;
  slot: number;
  offered: number;
  answered: number;
  abandoned: number;
  waitSum: number;
}

/** The rollup rows of the calls seen, as `commitStaged` would count them from the moved calls. */
export class RollupCounter {
  readonly slots = new Map<number, SlotTotals>();
  readonly waits = new Map<number, { month: string; line: string; bucket: number; answered: number }>();
  /** Lines get a number on first sight: the counters are then found by a numeric key, not a built string. */
  private readonly lines = new Map<string, number>();

  add(call: CallRecord, days: number): void {
    let line = this.lines.get(call.line);
    if (line === undefined) {
      line = this.lines.size;
      this.lines.set(call.line, line);
    }
    // Months since 1970 × line × day of the week × quarter hour, in one number.
    const monthIndex = (Number(call.day.slice(0, 4)) - 1970) * 12 + Number(call.day.slice(5, 7)) - 1;
    const dow = ((((days + 3) % 7) + 7) % 7) + 1;
    const key = ((line * 2400 + monthIndex) * 8 + dow) * 96 + call.slot;
    let s = this.slots.get(key);
    if (!s) {
      s = { month: `${call.day.slice(0, 7)}-01`, line: call.line, dow, slot: call.slot, offered: 0, answered: 0, abandoned: 0, waitSum: 0 };
      this.slots.set(key, s);
    }
    s.offered++;
    if (call.outcome === "answered") {
      s.answered++;
      s.waitSum += call.wait;
      const bucket = waitBucket(call.wait);
      const wkey = (line * 2400 + monthIndex) * 128 + bucket;
      let w = this.waits.get(wkey);
      if (!w) {
        w = { month: s.month, line: call.line, bucket, answered: 0 };
        this.waits.set(wkey, w);
      }
      w.answered++;
    } else if (call.outcome === "abandoned") s.abandoned++;
    if (this.slots.size + this.waits.size > MAX_GROUPS) throw new TooManyGroups();
  }

  /**
   * Adds the counts to the rollups: by line for the organisation, without the line for each of its
   * ancestors (`ancestors`, the path without the organisation), as `commitStaged` does, each insert taking
   * its rows in its key's order (see rollupChanges in calls.repository.ts: other sites write the same rows).
   */
  async save(trx: Kysely<DB>, orgId: string, ancestors: string[]): Promise<void> {
    const slots = [...this.slots.values()];
    if (slots.length > 0) {
      await sql`
        with g as (
          select * from unnest(
            ${slots.map((s) => s.month)}::date[], ${slots.map((s) => s.line)}::text[], ${slots.map((s) => s.dow)}::smallint[],
            ${slots.map((s) => s.slot)}::smallint[], ${slots.map((s) => s.offered)}::int[], ${slots.map((s) => s.answered)}::int[],
            ${slots.map((s) => s.abandoned)}::int[], ${slots.map((s) => String(s.waitSum))}::bigint[]
          ) as g(month, line, dow, slot, offered, answered, abandoned, wait_sum)
        ),
        own as (
          insert into call_rollup (org_id, month, line, dow, slot, offered, answered, abandoned, wait_sum)
          select ${orgId}::uuid, month, line, dow, slot, offered, answered, abandoned, wait_sum from g
          order by month, line, dow, slot
          on conflict (org_id, month, line, dow, slot) do update set
            offered = call_rollup.offered + excluded.offered,
            answered = call_rollup.answered + excluded.answered,
            abandoned = call_rollup.abandoned + excluded.abandoned,
            wait_sum = call_rollup.wait_sum + excluded.wait_sum
          returning 1
        )
        insert into call_descendant_rollup (org_id, month, dow, slot, offered, answered, abandoned, wait_sum)
        select a.org_id, l.month, l.dow, l.slot, l.offered, l.answered, l.abandoned, l.wait_sum
        from (
          select month, dow, slot, sum(offered)::int as offered, sum(answered)::int as answered,
            sum(abandoned)::int as abandoned, sum(wait_sum)::bigint as wait_sum
          from g group by 1, 2, 3
        ) l cross join unnest(${ancestors}::uuid[]) as a(org_id)
        order by a.org_id, l.month, l.dow, l.slot
        on conflict (org_id, month, dow, slot) do update set
          offered = call_descendant_rollup.offered + excluded.offered,
          answered = call_descendant_rollup.answered + excluded.answered,
          abandoned = call_descendant_rollup.abandoned + excluded.abandoned,
          wait_sum = call_descendant_rollup.wait_sum + excluded.wait_sum`.execute(trx);
    }
    const waits = [...this.waits.values()];
    if (waits.length > 0) {
      await sql`
        with g as (
          select * from unnest(${waits.map((w) => w.month)}::date[], ${waits.map((w) => w.line)}::text[],
            ${waits.map((w) => w.bucket)}::smallint[], ${waits.map((w) => w.answered)}::int[]) as g(month, line, bucket, answered)
        ),
        own as (
          insert into call_wait_rollup (org_id, month, line, bucket, answered)
          select ${orgId}::uuid, month, line, bucket, answered from g
          order by month, line, bucket
          on conflict (org_id, month, line, bucket) do update set answered = call_wait_rollup.answered + excluded.answered
          returning 1
        )
        insert into call_descendant_wait_rollup (org_id, month, bucket, answered)
        select a.org_id, l.month, l.bucket, l.answered
        from (select month, bucket, sum(answered)::int as answered from g group by 1, 2) l
        cross join unnest(${ancestors}::uuid[]) as a(org_id)
        order by a.org_id, l.month, l.bucket
        on conflict (org_id, month, bucket) do update set answered = call_descendant_wait_rollup.answered + excluded.answered`.execute(trx);
    }
  }
}

/** `COPY calls FROM STDIN (FORMAT binary)` on a connection inside its transaction, fed batch by batch. */
export class CallCopy {
  readonly counter = new RollupCounter();
  private readonly org: Buffer;
  private readonly importId: Buffer;
  private failure: Error | undefined;

  private constructor(
    private readonly stream: Writable,
    orgId: string,
    importId: string,
  ) {
    this.org = uuidBytes(orgId);
    this.importId = uuidBytes(importId);
    stream.on("error", (error: Error) => {
      this.failure = error;
    });
  }

  static async start(client: pg.PoolClient, orgId: string, importId: string): Promise<CallCopy> {
    const stream = client.query(
      copyFrom(
        "copy calls (org_id, call_key, import_id, started_at, local_day, slot, line, outcome, wait_seconds, talk_seconds) from stdin (format binary)",
      ),
    );
    const copy = new CallCopy(stream, orgId, importId);
    await copy.send(HEADER);
    return copy;
  }

  private async send(buffer: Buffer): Promise<void> {
    // An error of the server (a call already known) ends the writing, before or while waiting for room.
    if (this.failure) throw this.failure;
    if (!this.stream.write(buffer)) await once(this.stream, "drain");
    if (this.failure) throw this.failure;
  }

  private out = Buffer.allocUnsafe(CHUNK);
  private o = 0;

  /** Encodes one call as a binary COPY tuple and counts it into the rollups (sent by `flush`). */
  add(c: CallRecord): void {
    // 2 + 10 lengths + 3 uuids + timestamp + date + smallint + 2 ints + outcome (≤ 9), plus the line in UTF-8.
    if (this.o + 130 + c.line.length * 3 > this.out.length) this.spill();
    const out = this.out;
    let o = this.o;
    const days = epochDays(c.day);
    this.counter.add(c, days);
    o = out.writeInt16BE(10, o);
    o = out.writeInt32BE(16, o);
    o += this.org.copy(out, o);
    o = out.writeInt32BE(16, o);
    o += out.write(c.key.replace(DASHES, ""), o, 16, "hex");
    o = out.writeInt32BE(16, o);
    o += this.importId.copy(out, o);
    const micros = (c.startedAt.getTime() - PG_EPOCH_MS) * 1000;
    const high = Math.floor(micros / 4294967296);
    o = out.writeInt32BE(8, o);
    o = out.writeInt32BE(high, o);
    o = out.writeUInt32BE(micros - high * 4294967296, o);
    o = out.writeInt32BE(4, o);
    o = out.writeInt32BE(days - PG_EPOCH_DAYS, o);
    o = out.writeInt32BE(2, o);
    o = out.writeInt16BE(c.slot, o);
    const lineAt = o;
    o += 4;
    const lineBytes = out.write(c.line, o, "utf8");
    out.writeInt32BE(lineBytes, lineAt);
    o += lineBytes;
    const outcome = OUTCOME_BYTES[c.outcome] as Buffer;
    o = out.writeInt32BE(outcome.length, o);
    o += outcome.copy(out, o);
    o = out.writeInt32BE(4, o);
    o = out.writeInt32BE(c.wait, o);
    o = out.writeInt32BE(4, o);
    o = out.writeInt32BE(c.talk, o);
    this.o = o;
  }

  private ready: Buffer[] = [];

  private spill(): void {
    if (this.o > 0) this.ready.push(this.out.subarray(0, this.o));
    this.out = Buffer.allocUnsafe(CHUNK);
    this.o = 0;
  }

  /** Sends what was encoded, waiting for room when the server is behind. */
  async flush(): Promise<void> {
    this.spill();
    const ready = this.ready;
    this.ready = [];
    for (const buffer of ready) await this.send(buffer);
  }

  /** Ends the COPY; rejects when the server refused a row. */
  async end(): Promise<void> {
    await this.flush();
    // The server may have refused a row meanwhile; the stream cannot be written to any more then.
    if (this.failure) throw this.failure;
    this.stream.end(TRAILER);
    await finished(this.stream);
  }

  /** Gives the COPY up (the transaction then rolls back), and waits for the server to have said so. */
  async abort(error: Error): Promise<void> {
    this.stream.destroy(error);
    await finished(this.stream).catch(() => undefined);
  }
}

/** A Kysely bound to one connection taken from the pool, so COPY and queries share a transaction. */
export function singleConnection(client: pg.PoolClient): Kysely<DB> {
  const pool = { connect: async () => client, end: async () => undefined };
  // Kysely releases the connection to the pool when the transaction ends.
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }),
  });
}
