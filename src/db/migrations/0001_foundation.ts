import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Organisations, accounts, grants, sessions, audit log and instance settings.
 * Tenant tables lead their primary and foreign keys with org_id so the schema can be
 * distributed by organisation (Citus) later; instance-wide tables (accounts, sessions,
 * settings) are small reference tables.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table organisations (
      id uuid primary key default gen_random_uuid(),
      parent_id uuid references organisations (id) on delete restrict,
      -- ancestors from the root down to this node, itself included: subtree tests are one index lookup
      path uuid[] not null,
      kind text not null check (kind in ('network', 'region', 'department', 'site', 'service')),
      name text not null check (length(name) between 1 and 200),
      address_street text,
      address_postcode text,
      address_city text,
      siret text check (siret ~ '^[0-9]{14}$'),
      time_zone text not null default 'Europe/Paris',
      holiday_zone text not null default 'metropole'
        check (holiday_zone in ('metropole', 'alsace-moselle', 'guadeloupe', 'martinique', 'guyane', 'reunion', 'mayotte')),
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index organisations_path_idx on organisations using gin (path);
    create index organisations_parent_idx on organisations (parent_id);

    create table accounts (
      id uuid primary key default gen_random_uuid(),
      email text not null,
      display_name text not null,
      password_hash text not null,
      instance_admin boolean not null default false,
      active boolean not null default true,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      last_login_at timestamptz
    );
    create unique index accounts_email_idx on accounts (lower(email));

    create table grants (
      org_id uuid not null references organisations (id) on delete cascade,
      account_id uuid not null references accounts (id) on delete cascade,
      role text not null check (role in ('admin', 'correspondent', 'referent', 'agent', 'auditor')),
      granted_at timestamptz not null default now(),
      primary key (org_id, account_id, role)
    );
    create index grants_account_idx on grants (account_id);

    create table sessions (
      -- sha-256 of the cookie value: a copy of the table does not hand out live sessions
      token_hash text primary key,
      account_id uuid not null references accounts (id) on delete cascade,
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    create index sessions_account_idx on sessions (account_id);

    create table login_attempts (
      id bigint generated always as identity primary key,
      email text not null,
      source text not null,
      at timestamptz not null default now()
    );
    create index login_attempts_email_idx on login_attempts (email, at);
    create index login_attempts_source_idx on login_attempts (source, at);

    -- No foreign key: the log outlives what it speaks of. Instance-wide events use the nil uuid.
    create table audit_log (
      org_id uuid not null,
      id bigint generated always as identity,
      at timestamptz not null default now(),
      actor_id uuid,
      actor_label text not null,
      action text not null,
      entity text not null,
      entity_id text not null,
      before jsonb,
      after jsonb,
      primary key (org_id, id)
    );
    create index audit_log_at_idx on audit_log (at desc, id desc);
    create index audit_log_entity_idx on audit_log (entity, entity_id);

    create table settings (
      key text primary key,
      value jsonb not null,
      updated_at timestamptz not null default now()
    );

    create table legal_pages (
      slug text primary key check (slug in ('mentions-legales', 'donnees-personnelles', 'accessibilite')),
      title text not null,
      body text not null,
      compliance text check (compliance in ('totale', 'partielle', 'non-conforme')),
      version integer not null default 1,
      updated_at timestamptz not null default now()
    );
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `drop table legal_pages;
    drop table settings;
    drop table audit_log;
    drop table login_attempts;
    drop table sessions;
    drop table grants;
    drop table accounts;
    drop table organisations;`,
  );
}
