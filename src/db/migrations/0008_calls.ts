import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Phone reachability and mystery-shopper tests (issue #6).
 *
 * Calls: each import is a row of `call_imports` (its progress, its report); the file is read into
 * the staging table `call_import_rows` in short transactions, then moved into `calls` in one
 * transaction that also adds to the rollups: a file lands whole or not at all. `calls` keeps one row
 * per call with its natural key (the PBX's unique id, or a hash of the raw line), so a file imported
 * twice adds nothing. The indicators read `call_rollup` (month × line × local day of the week ×
 * quarter of an hour) and `call_wait_rollup` (waiting-time histogram of answered calls), kept for the
 * organisation and each of its ancestors.
 *
 * Mystery shopper: campaigns over sites, tests entered by testers against a grid of criteria, and
 * `mystery_rollup` (month × channel × criterion) for the organisation of the site and its ancestors.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table call_settings (
      org_id uuid not null references organisations (id) on delete cascade,
      -- null: the rings of the commitment in force (5 in Marianne 2008)
      rings integer check (rings between 1 and 30),
      seconds_per_ring integer not null default 5 check (seconds_per_ring between 1 and 30),
      -- Asterisk: the dialplan contexts of incoming calls; empty: every line of the file
      inbound_contexts text[] not null default '{}',
      -- the column mapping of other systems' CSV files
      mapping jsonb,
      version integer not null default 1,
      updated_at timestamptz not null default now(),
      primary key (org_id)
    );

    create table call_imports (
      org_id uuid not null references organisations (id) on delete restrict,
      id uuid not null default gen_random_uuid(),
      file_name text not null,
      format text not null check (format in ('asterisk', 'mapped')),
      status text not null check (status in ('uploaded', 'reading', 'checked', 'committing', 'done', 'failed', 'discarded')),
      bytes_total bigint not null default 0,
      bytes_read bigint not null default 0,
      rows_read integer not null default 0,
      rows_invalid integer not null default 0,
      rows_skipped integer not null default 0,
      rows_created integer not null default 0,
      rows_duplicate integer not null default 0,
      -- the first faulty lines, { line, message }
      errors jsonb not null default '[]',
      message text,
      created_by uuid,
      created_by_label text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (org_id, id)
    );
    create index call_imports_recent_idx on call_imports (org_id, created_at desc);

    -- Unlogged: a file being read is not worth the write-ahead log; a crash empties the table,
    -- which the commit notices (the count of staged calls no longer matches the report).
    create unlogged table call_import_rows (
      org_id uuid not null,
      import_id uuid not null,
      call_key uuid not null,
      started_at timestamptz not null,
      local_day date not null,
      slot smallint not null,
      line text not null,
      outcome text not null,
      wait_seconds integer not null,
      talk_seconds integer not null,
      foreign key (org_id, import_id) references call_imports (org_id, id) on delete cascade
    );
    create index call_import_rows_import_idx on call_import_rows (org_id, import_id);

    -- No foreign key here: a reference check for each of millions of rows doubles the time of an
    -- import (docs/performance.md). Every call is written by an import of its organisation, in the
    -- transaction that marks the import done, and call_imports (kept, never deleted) holds the
    -- organisation back: an organisation with calls cannot be deleted.
    create table calls (
      org_id uuid not null,
      -- MD5 of the PBX's unique id (with start and number dialled), or of the line's fields: a second
      -- import of the same file meets this key
      call_key uuid not null,
      import_id uuid not null,
      started_at timestamptz not null,
      -- the day and quarter of an hour on the organisation's clock, as the rollup counts them
      local_day date not null,
      slot smallint not null check (slot between 0 and 95),
      line text not null,
      outcome text not null check (outcome in ('answered', 'abandoned', 'busy', 'failed')),
      wait_seconds integer not null check (wait_seconds >= 0),
      talk_seconds integer not null check (talk_seconds >= 0),
      primary key (org_id, call_key)
    );

    create table call_rollup (
      org_id uuid not null,
      month date not null,
      line text not null,
      -- ISO day of the week (1 = Monday) and quarter of an hour (0 = 00:00–00:15) on the local clock
      dow smallint not null check (dow between 1 and 7),
      slot smallint not null check (slot between 0 and 95),
      offered integer not null default 0,
      answered integer not null default 0,
      abandoned integer not null default 0,
      -- waiting time of answered calls, in seconds: the mean is wait_sum / answered
      wait_sum bigint not null default 0,
      primary key (org_id, month, line, dow, slot)
    );

    create table call_wait_rollup (
      org_id uuid not null,
      month date not null,
      line text not null,
      -- see wait-buckets.ts: seconds 0 to 59 one by one, then wider buckets
      bucket smallint not null,
      answered integer not null default 0,
      primary key (org_id, month, line, bucket)
    );

    create table mystery_campaigns (
      org_id uuid not null references organisations (id) on delete restrict,
      id uuid not null default gen_random_uuid(),
      title text not null,
      starts_on date not null,
      ends_on date not null,
      channels text[] not null,
      status text not null default 'open' check (status in ('open', 'closed')),
      version integer not null default 1,
      created_at timestamptz not null default now(),
      primary key (org_id, id),
      check (ends_on >= starts_on)
    );

    create table mystery_campaign_sites (
      org_id uuid not null,
      campaign_id uuid not null,
      site_id uuid not null references organisations (id) on delete restrict,
      primary key (org_id, campaign_id, site_id),
      foreign key (org_id, campaign_id) references mystery_campaigns (org_id, id) on delete cascade
    );

    create table mystery_tests (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      campaign_id uuid not null,
      site_id uuid not null,
      channel text not null check (channel in ('counter', 'phone', 'letter', 'email', 'web')),
      grid_id text not null,
      grid_version integer not null,
      tested_on date not null,
      tester text not null,
      -- { criterionId: "yes" | "no" | "na" }
      answers jsonb not null,
      comment text not null default '',
      created_by uuid,
      created_at timestamptz not null default now(),
      primary key (org_id, id),
      foreign key (org_id, campaign_id, site_id) references mystery_campaign_sites (org_id, campaign_id, site_id) on delete cascade
    );
    create index mystery_tests_campaign_idx on mystery_tests (org_id, campaign_id);

    create table mystery_rollup (
      org_id uuid not null,
      month date not null,
      channel text not null,
      criterion_id text not null,
      passed integer not null default 0,
      failed integer not null default 0,
      primary key (org_id, month, channel, criterion_id)
    );
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop table mystery_rollup;
    drop table mystery_tests;
    drop table mystery_campaign_sites;
    drop table mystery_campaigns;
    drop table call_wait_rollup;
    drop table call_rollup;
    drop table calls;
    drop table call_import_rows;
    drop table call_imports;
    drop table call_settings;
    `,
  );
}
