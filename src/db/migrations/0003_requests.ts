import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Requests, complaints and suggestions with their history; the durable job queue; the outbox of
 * e-mails; letter templates; and the monthly rollup the indicators read instead of raw rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table request_counters (
      org_id uuid not null references organisations (id) on delete cascade,
      year integer not null,
      last integer not null,
      primary key (org_id, year)
    );

    create table requests (
      org_id uuid not null references organisations (id) on delete restrict,
      id uuid not null default gen_random_uuid(),
      number text not null,
      kind text not null check (kind in ('request', 'complaint', 'suggestion')),
      channel text not null check (channel in ('counter', 'phone', 'letter', 'email', 'web')),
      status text not null check (status in ('received', 'acknowledged', 'in_progress', 'waiting', 'answered', 'closed')),
      source text not null check (source in ('agent', 'public', 'import')),
      subject text not null,
      body text not null default '',
      requester_name text,
      requester_email text,
      requester_phone text,
      requester_address text,
      received_on date not null,
      -- the announced delay, copied at registration: a later change of commitments does not move old deadlines
      target_value integer,
      target_unit text check (target_unit in ('working_days', 'calendar_days')),
      commitment_id text,
      due_on date,
      -- a holding reply announces a new date; the original due date stays for the indicators
      announced_on date,
      paused_since date,
      service_id uuid,
      assignee_id uuid references accounts (id) on delete set null,
      answered_on date,
      -- response time counted at the answer, so undoing the answer takes back exactly what was added
      response_days integer,
      closed_on date,
      tracking_token_hash text not null,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (org_id, id),
      unique (org_id, number)
    );
    create unique index requests_tracking_idx on requests (tracking_token_hash);
    create index requests_open_due_idx on requests (org_id, due_on) where status not in ('answered', 'closed');
    create index requests_assignee_idx on requests (assignee_id) where status not in ('answered', 'closed');
    create index requests_service_idx on requests (org_id, service_id);

    create table request_events (
      org_id uuid not null,
      request_id uuid not null,
      id bigint generated always as identity,
      at timestamptz not null default now(),
      actor_id uuid,
      actor_label text not null,
      type text not null,
      from_status text,
      to_status text,
      note text,
      data jsonb,
      primary key (org_id, request_id, id),
      foreign key (org_id, request_id) references requests (org_id, id) on delete cascade
    );

    create table jobs (
      id bigint generated always as identity primary key,
      name text not null,
      payload jsonb not null,
      -- a job with a key is enqueued once: the daily digest of a given day, the e-mail of an outbox row
      dedupe_key text unique,
      run_at timestamptz not null default now(),
      attempts integer not null default 0,
      max_attempts integer not null default 5,
      locked_until timestamptz,
      done_at timestamptz,
      last_error text,
      created_at timestamptz not null default now()
    );
    create index jobs_due_idx on jobs (run_at) where done_at is null;

    create table outbox (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      request_id uuid,
      kind text not null,
      recipient text not null,
      subject text not null,
      body text not null,
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      message_id text,
      error text,
      primary key (org_id, id)
    );

    create table letter_templates (
      org_id uuid not null references organisations (id) on delete cascade,
      kind text not null check (kind in ('acknowledgement', 'holding', 'answer')),
      subject text not null,
      body text not null,
      version integer not null default 1,
      updated_at timestamptz not null default now(),
      primary key (org_id, kind)
    );

    -- One row per organisation, month, channel and kind, kept up to date as requests move:
    -- the indicators read these, never the requests themselves.
    create table request_rollup (
      org_id uuid not null,
      month date not null,
      channel text not null,
      kind text not null,
      received integer not null default 0,
      answered integer not null default 0,
      -- answers to requests that had an announced delay: the denominator of the in-time share
      answered_with_target integer not null default 0,
      answered_in_time integer not null default 0,
      -- answers by response time in working days: element i counts answers given in i days (last: 60 and more)
      delay_histogram integer[] not null default array_fill(0, array[61]),
      primary key (org_id, month, channel, kind)
    );
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `drop table request_rollup;
    drop table letter_templates;
    drop table outbox;
    drop table jobs;
    drop table request_events;
    drop table requests;
    drop table request_counters;`,
  );
}
