import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Publication that finishes (issue #13): what changed since the last publication, and the runs that
 * publish it in chunks.
 * - `publication_dirty`: organisations whose figures may have changed. Marked by a trigger on every
 *   rollup table, in the transaction of the rollup write itself, for the organisation and its ancestors;
 *   `mark` moves at each write, so a publication removes the mark only if no write came since it read it.
 * - `publication_state`: when each organisation was last published, and for which month (a new month
 *   republishes everyone).
 * - `publication_runs`: one row per nightly (or « Publier maintenant ») run: how many chunk jobs it
 *   enqueued; their progress is read from the jobs themselves.
 */
export const ROLLUP_TABLES = [
  "request_rollup",
  "call_rollup",
  "call_wait_rollup",
  // The ancestors' phone rollups (migration 0018). A site's own call_rollup already marks its ancestors;
  // these keep the rule « every rollup table marks » true without an exception to remember.
  "call_descendant_rollup",
  "call_descendant_wait_rollup",
  "survey_answer_rollup",
  "survey_satisfaction_rollup",
  "action_rollup",
  "assessment_rollup",
  "staff_rollup",
  "mystery_rollup",
];

/**
 * The triggers that mark a rollup table's organisations for publication: one per event, each once per
 * statement (a transition table), so a bulk import marks each organisation once, not once per row.
 * A migration that adds a rollup table calls this too (a test checks every *_rollup table has them).
 */
export function markPublicationOnChange(table: string): string {
  return `
    create trigger ${table}_publication_ins after insert on ${table}
      referencing new table as changed for each statement execute function publication_mark_changed();
    create trigger ${table}_publication_upd after update on ${table}
      referencing new table as changed for each statement execute function publication_mark_changed();
    create trigger ${table}_publication_del after delete on ${table}
      referencing old table as changed for each statement execute function publication_mark_changed();
  `;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create sequence publication_mark_seq;

    create table publication_dirty (
      org_id uuid primary key references organisations (id) on delete cascade,
      mark bigint not null default nextval('publication_mark_seq')
    );

    create table publication_state (
      org_id uuid primary key references organisations (id) on delete cascade,
      published_at timestamptz not null,
      published_month text not null
    );
    create index publication_state_month_idx on publication_state (published_month);

    create table publication_runs (
      id uuid primary key default gen_random_uuid(),
      started_at timestamptz not null default now(),
      -- null for the whole instance; else the organisation whose subtree « Publier maintenant » asked for
      root_id uuid references organisations (id) on delete cascade,
      month text not null,
      reason text not null check (reason in ('changes', 'month', 'asked')),
      organisations integer not null,
      chunks integer not null
    );
    create index publication_runs_started_idx on publication_runs (started_at);

    -- Marks the changed rows' organisations and all their ancestors (a parent's figures add up its
    -- subtree). A mark already there gets a new number, so a publication running meanwhile keeps it.
    create function publication_mark_changed() returns trigger
    language plpgsql as $$
    begin
      insert into publication_dirty (org_id)
      select distinct a.id
      from organisations o cross join lateral unnest(o.path) as a(id)
      where o.id in (select c.org_id from changed c)
      order by a.id
      on conflict (org_id) do update set mark = nextval('publication_mark_seq');
      return null;
    end
    $$;
    ${ROLLUP_TABLES.map(markPublicationOnChange).join("\n")}
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ${ROLLUP_TABLES.flatMap((t) => ["ins", "upd", "del"].map((e) => `drop trigger ${t}_publication_${e} on ${t};`)).join("\n")}
    drop function publication_mark_changed();
    drop table publication_runs;
    drop table publication_state;
    drop table publication_dirty;
    drop sequence publication_mark_seq;
    `,
  );
}
