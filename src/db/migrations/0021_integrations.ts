import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Integrations (issue #16, points 2 and 3).
 * - `api_tokens`: a person's bearer tokens for the JSON API, each narrowing that person's own rights
 *   (read only or read and write; optionally one organisation's subtree). Only the SHA-256 of the
 *   secret is kept; `prefix` is what the person sees again to recognise it.
 * - `webhook_endpoints`: where an organisation's subtree events are sent. The signing secret is kept
 *   in clear: the server needs it to sign every delivery (as an SMTP password would be).
 * - `webhook_deliveries`: one row per event and endpoint, written in the transaction of the change;
 *   its job on the queue sends it, and the row says what happened (the endpoint's log).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table api_tokens (
      id uuid primary key default gen_random_uuid(),
      account_id uuid not null references accounts (id) on delete cascade,
      name text not null,
      prefix text not null,
      token_hash text not null unique,
      scope text not null check (scope in ('read', 'write')),
      org_id uuid references organisations (id) on delete cascade,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz,
      last_used_at timestamptz
    );
    create index api_tokens_account_idx on api_tokens (account_id, created_at desc);

    create table webhook_endpoints (
      id uuid primary key default gen_random_uuid(),
      org_id uuid not null references organisations (id) on delete cascade,
      url text not null,
      events text[] not null,
      secret text not null,
      created_at timestamptz not null default now(),
      created_by text not null
    );
    create index webhook_endpoints_org_idx on webhook_endpoints (org_id);

    create table webhook_deliveries (
      id uuid primary key default gen_random_uuid(),
      endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
      event_id uuid not null,
      event_type text not null,
      body text not null,
      status text not null default 'queued' check (status in ('queued', 'delivered', 'failed')),
      http_status integer,
      attempts integer not null default 0,
      next_attempt_at timestamptz,
      last_error text,
      created_at timestamptz not null default now(),
      delivered_at timestamptz,
      unique (endpoint_id, event_id)
    );
    create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, created_at desc);
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop table webhook_deliveries; drop table webhook_endpoints; drop table api_tokens;");
}
