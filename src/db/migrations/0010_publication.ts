import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Published results and the public's practical information (issue #8).
 * - `org_public_info`: accessibility of the premises, contact channels, and whether days without any
 *   opening count as closed days for deadlines; one row per organisation, versioned.
 * - `org_opening_hours`: the history of opening hours (OSM opening_hours syntax), one row per date the
 *   hours take effect, so a change is announced with its date and past hours stay known.
 * - `published_figures`: the figures the public reads, computed by a job, one row per organisation ×
 *   period × indicator (× channel, '' for all channels): the public page and open data read only this.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table org_public_info (
      org_id uuid not null references organisations (id) on delete cascade,
      accessibility text,
      step_free boolean,
      phone text,
      email text,
      website text,
      closes_deadlines boolean not null default false,
      annuaire_id text,
      version integer not null default 1,
      updated_at timestamptz not null default now(),
      primary key (org_id)
    );

    create table org_opening_hours (
      org_id uuid not null references organisations (id) on delete cascade,
      valid_from date not null,
      hours text not null,
      note text,
      recorded_at timestamptz not null default now(),
      primary key (org_id, valid_from)
    );

    create table published_figures (
      org_id uuid not null references organisations (id) on delete cascade,
      period_from date not null,
      period_to date not null,
      indicator_key text not null,
      channel text not null default '',
      label text not null,
      unit text not null,
      better text not null check (better in ('higher', 'lower')),
      value double precision,
      low double precision,
      high double precision,
      target double precision,
      sample integer not null,
      commitments jsonb not null,
      computed_at timestamptz not null default now(),
      primary key (org_id, period_from, indicator_key, channel)
    );
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop table published_figures; drop table org_opening_hours; drop table org_public_info;");
}
