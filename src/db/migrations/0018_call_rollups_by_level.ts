import type { Kysely } from "kysely";
import { isEmbeddedEngine, partitionByMonth } from "../partitions.ts";
import { runScript } from "../script.ts";

/**
 * Call rollups by level (issue #13). Until now `call_rollup` and `call_wait_rollup` kept the phone
 * line at every level, so a network held Σ lines × cells of all its sites: more rows than the calls
 * themselves for a national network. From here on:
 *
 * - `call_rollup` / `call_wait_rollup` keep the line only for the organisation the calls belong to
 *   (the one that imported them, a site in practice): its page lists its lines;
 * - `call_descendant_rollup` / `call_descendant_wait_rollup` keep, for each ancestor, what its
 *   pages show of the calls of its descendants: month × day of the week × quarter hour (the heat map,
 *   the calls outside opening hours) and month × wait bucket (within N rings, 90th percentile), without
 *   the line. A node's figures are its own rows plus its descendant rows.
 *
 * The old rows of a node were the sums of its whole subtree, so its descendants' share is the sum of
 * its children's old rows, and its own share what remains once those are taken away (exact, integer
 * sums). Both engines take the same path.
 *
 * On PostgreSQL, `calls` and `audit_log` become partitioned by month (src/db/partitions.ts), rows kept;
 * the embedded engine keeps them plain. The months ahead are created by the job `partitions.prepare`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    -- The local day joins the key of a call: on PostgreSQL calls is partitioned by month of the
    -- local day, and a partitioned table's keys must hold its partition key. The key already holds the
    -- day in its first bytes (see call-record.ts), so a call is as unique as before; both engines get the same
    -- key, so ON CONFLICT names the same columns on both.
    alter table calls drop constraint calls_pkey;
    alter table calls add primary key (org_id, call_key, local_day);

    create table call_descendant_rollup (
      org_id uuid not null,
      month date not null,
      dow smallint not null check (dow between 1 and 7),
      slot smallint not null check (slot between 0 and 95),
      offered integer not null default 0,
      answered integer not null default 0,
      abandoned integer not null default 0,
      wait_sum bigint not null default 0,
      primary key (org_id, month, dow, slot)
    );

    create table call_descendant_wait_rollup (
      org_id uuid not null,
      month date not null,
      bucket smallint not null,
      answered integer not null default 0,
      primary key (org_id, month, bucket)
    );

    insert into call_descendant_rollup (org_id, month, dow, slot, offered, answered, abandoned, wait_sum)
    select o.parent_id, r.month, r.dow, r.slot, sum(r.offered), sum(r.answered), sum(r.abandoned), sum(r.wait_sum)
    from call_rollup r join organisations o on o.id = r.org_id
    where o.parent_id is not null
    group by o.parent_id, r.month, r.dow, r.slot;

    insert into call_descendant_wait_rollup (org_id, month, bucket, answered)
    select o.parent_id, w.month, w.bucket, sum(w.answered)
    from call_wait_rollup w join organisations o on o.id = w.org_id
    where o.parent_id is not null
    group by o.parent_id, w.month, w.bucket;

    with children as (
      select o.parent_id as org_id, r.month, r.line, r.dow, r.slot,
        sum(r.offered) as offered, sum(r.answered) as answered, sum(r.abandoned) as abandoned, sum(r.wait_sum) as wait_sum
      from call_rollup r join organisations o on o.id = r.org_id
      where o.parent_id is not null
      group by 1, 2, 3, 4, 5
    )
    update call_rollup r set
      offered = r.offered - c.offered, answered = r.answered - c.answered,
      abandoned = r.abandoned - c.abandoned, wait_sum = r.wait_sum - c.wait_sum
    from children c
    where r.org_id = c.org_id and r.month = c.month and r.line = c.line and r.dow = c.dow and r.slot = c.slot;
    delete from call_rollup where offered = 0;

    with children as (
      select o.parent_id as org_id, w.month, w.line, w.bucket, sum(w.answered) as answered
      from call_wait_rollup w join organisations o on o.id = w.org_id
      where o.parent_id is not null
      group by 1, 2, 3, 4
    )
    update call_wait_rollup w set answered = w.answered - c.answered
    from children c
    where w.org_id = c.org_id and w.month = c.month and w.line = c.line and w.bucket = c.bucket;
    delete from call_wait_rollup where answered = 0;
    `,
  );
  // PostgreSQL: calls and audit_log by month, so retention drops a month instead of deleting its rows.
  if (!(await isEmbeddedEngine(db))) {
    await partitionByMonth(db, "calls");
    await partitionByMonth(db, "audit_log");
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Back to one row per line at every level: each ancestor gets its descendants' own rows again. The
  // partitions and the calls' key stay: they serve the code before this migration as they serve this one.
  await runScript(
    db,
    `
    insert into call_rollup (org_id, month, line, dow, slot, offered, answered, abandoned, wait_sum)
    select a.id, r.month, r.line, r.dow, r.slot, sum(r.offered), sum(r.answered), sum(r.abandoned), sum(r.wait_sum)
    from call_rollup r join organisations o on o.id = r.org_id
    join organisations a on a.id = any(o.path) and a.id <> o.id
    group by 1, 2, 3, 4, 5
    on conflict (org_id, month, line, dow, slot) do update set
      offered = call_rollup.offered + excluded.offered, answered = call_rollup.answered + excluded.answered,
      abandoned = call_rollup.abandoned + excluded.abandoned, wait_sum = call_rollup.wait_sum + excluded.wait_sum;
    insert into call_wait_rollup (org_id, month, line, bucket, answered)
    select a.id, w.month, w.line, w.bucket, sum(w.answered)
    from call_wait_rollup w join organisations o on o.id = w.org_id
    join organisations a on a.id = any(o.path) and a.id <> o.id
    group by 1, 2, 3, 4
    on conflict (org_id, month, line, bucket) do update set answered = call_wait_rollup.answered + excluded.answered;
    drop table call_descendant_wait_rollup;
    drop table call_descendant_rollup;
    `,
  );
}
