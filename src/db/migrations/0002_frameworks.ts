import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Frameworks, commitments, requirements, cross-version links and the lever bank: reference data,
 * rewritten from data/ at start-up. Adoption and local commitments: tenant data, keyed by org_id.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table frameworks (
      id text primary key,
      name text not null,
      edition text not null,
      summary text not null,
      position integer not null
    );

    create table framework_themes (
      framework_id text not null references frameworks (id) on delete cascade,
      id text not null,
      title text not null,
      position integer not null,
      primary key (framework_id, id)
    );

    create table commitments (
      id text primary key,
      framework_id text not null references frameworks (id) on delete cascade,
      number integer not null,
      title text not null,
      details text,
      theme_id text not null,
      channels text[] not null,
      targets jsonb not null,
      -- lower case, no accents: what the search compares against
      search text not null,
      unique (framework_id, number)
    );

    create table requirements (
      id text primary key,
      commitment_id text not null references commitments (id) on delete cascade,
      position integer not null,
      text text not null
    );
    create index requirements_commitment_idx on requirements (commitment_id, position);

    create table commitment_links (
      from_id text not null references commitments (id) on delete cascade,
      to_id text not null references commitments (id) on delete cascade,
      relation text not null check (relation in ('equivalent', 'partial')),
      primary key (from_id, to_id)
    );
    create index commitment_links_to_idx on commitment_links (to_id);

    create table levers (
      id text primary key,
      commitment_id text not null references commitments (id),
      channel text not null check (channel in ('counter', 'phone', 'letter', 'email', 'web', 'all')),
      category text not null,
      text text not null,
      search text not null,
      position integer not null
    );
    create index levers_commitment_idx on levers (commitment_id);

    -- Every commitment a lever serves, in every framework (its Marianne 2008 one included).
    create table lever_commitments (
      lever_id text not null references levers (id) on delete cascade,
      commitment_id text not null references commitments (id) on delete cascade,
      primary key (lever_id, commitment_id)
    );
    create index lever_commitments_commitment_idx on lever_commitments (commitment_id);

    create table org_frameworks (
      org_id uuid primary key references organisations (id) on delete cascade,
      framework_id text not null references frameworks (id),
      adopted_at timestamptz not null default now(),
      version integer not null default 1
    );

    create table local_commitments (
      org_id uuid not null references organisations (id) on delete cascade,
      id uuid not null default gen_random_uuid(),
      -- set when the local commitment tightens a framework commitment rather than adding one
      base_commitment_id text references commitments (id),
      title text not null,
      channels text[] not null,
      targets jsonb not null,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (org_id, id)
    );
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `drop table local_commitments;
    drop table org_frameworks;
    drop table lever_commitments;
    drop table levers;
    drop table commitment_links;
    drop table requirements;
    drop table commitments;
    drop table framework_themes;
    drop table frameworks;`,
  );
}
