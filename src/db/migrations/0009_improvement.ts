import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * The loop of continuous improvement (issue #7): self-assessment campaigns, the action plan,
 * staff trainings and incident reports. Every table is keyed by organisation first.
 *
 * - A campaign copies the commitments and requirements it is answered against (`assessment_items`):
 *   a framework that changes later does not rewrite a signed campaign.
 * - Evidence files live in the database (bytea), so both engines and every backup carry them.
 * - `assessment_rollup` and `action_rollup` hold, for each organisation and each of its ancestors,
 *   the sums a network reads: signed campaign scores per commitment, actions per status and commitment.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table assessments (
      org_id uuid not null references organisations (id) on delete restrict,
      id uuid not null default gen_random_uuid(),
      year integer not null check (year between 2000 and 2100),
      framework_id text,
      status text not null default 'open' check (status in ('open', 'signed')),
      overall_score numeric,
      commitment_scores jsonb not null default '{}',
      signed_by uuid,
      signed_by_label text,
      signed_at timestamptz,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      primary key (org_id, id),
      unique (org_id, year)
    );

    create table assessment_items (
      org_id uuid not null,
      assessment_id uuid not null,
      requirement_id text not null,
      position integer not null,
      commitment_id text not null,
      commitment_number integer,
      commitment_title text not null,
      requirement_text text not null,
      status text check (status in ('met', 'partly', 'not_met', 'not_applicable')),
      comment text,
      links text[] not null default '{}',
      version integer not null default 1,
      updated_at timestamptz not null default now(),
      updated_by_label text,
      primary key (org_id, assessment_id, requirement_id),
      foreign key (org_id, assessment_id) references assessments (org_id, id) on delete cascade
    );

    create table assessment_evidence (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      assessment_id uuid not null,
      requirement_id text not null,
      file_name text not null,
      content_type text not null,
      size integer not null,
      data bytea not null,
      created_by_label text not null,
      created_at timestamptz not null default now(),
      primary key (org_id, id),
      foreign key (org_id, assessment_id, requirement_id) references assessment_items (org_id, assessment_id, requirement_id) on delete cascade
    );
    create index assessment_evidence_item_idx on assessment_evidence (org_id, assessment_id, requirement_id);

    create table assessment_rollup (
      org_id uuid not null,
      year integer not null,
      commitment_id text not null,
      score_sum numeric not null default 0,
      campaigns integer not null default 0,
      primary key (org_id, year, commitment_id)
    );

    create table actions (
      org_id uuid not null references organisations (id) on delete restrict,
      id uuid not null default gen_random_uuid(),
      number integer not null,
      title text not null,
      lever_id text,
      commitment_id text,
      channel text check (channel in ('counter', 'phone', 'letter', 'email', 'web')),
      owner text,
      service text,
      due_on date,
      plan_year integer not null check (plan_year between 2000 and 2100),
      status text not null default 'todo' check (status in ('todo', 'doing', 'done', 'dropped')),
      origin text not null default 'free' check (origin in ('free', 'lever', 'incident', 'import')),
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (org_id, id),
      unique (org_id, number)
    );
    create index actions_due_idx on actions (org_id, due_on) where status in ('todo', 'doing');

    create table action_events (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      action_id uuid not null,
      at timestamptz not null default now(),
      actor_label text not null,
      kind text not null check (kind in ('created', 'status', 'note', 'edit')),
      from_status text,
      to_status text,
      note text,
      primary key (org_id, id),
      foreign key (org_id, action_id) references actions (org_id, id) on delete cascade
    );
    create index action_events_action_idx on action_events (org_id, action_id, at);

    create table action_rollup (
      org_id uuid not null,
      plan_year integer not null,
      commitment_id text not null,
      status text not null,
      actions integer not null default 0,
      primary key (org_id, plan_year, commitment_id, status)
    );

    create table staff_members (
      org_id uuid not null references organisations (id) on delete restrict,
      id uuid not null default gen_random_uuid(),
      name text not null,
      job text,
      active boolean not null default true,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      primary key (org_id, id)
    );

    create table staff_trainings (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      staff_id uuid not null,
      theme text not null,
      completed_on date not null,
      created_at timestamptz not null default now(),
      primary key (org_id, id),
      unique (org_id, staff_id, theme, completed_on),
      foreign key (org_id, staff_id) references staff_members (org_id, id) on delete cascade
    );

    -- For each organisation and each ancestor: active staff, and per theme and day, how many of them
    -- had their first training on that theme that day (so "trained by a date" is a sum of a few rows).
    create table staff_rollup (
      org_id uuid not null,
      day date not null,
      theme text not null,
      trained integer not null default 0,
      primary key (org_id, theme, day)
    );
    create table staff_counts (
      org_id uuid not null primary key,
      active integer not null default 0
    );

    create table incident_reports (
      org_id uuid not null references organisations (id) on delete restrict,
      id uuid not null default gen_random_uuid(),
      occurred_on date not null,
      channel text check (channel in ('counter', 'phone', 'letter', 'email', 'web')),
      description text not null,
      reporter_id uuid,
      reporter_label text not null,
      status text not null default 'new' check (status in ('new', 'action', 'dismissed')),
      action_id uuid,
      triage_note text,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      primary key (org_id, id),
      foreign key (org_id, action_id) references actions (org_id, id)
    );
    create index incident_reports_status_idx on incident_reports (org_id, status);
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop table incident_reports;
    drop table staff_counts;
    drop table staff_rollup;
    drop table staff_trainings;
    drop table staff_members;
    drop table action_rollup;
    drop table action_events;
    drop table actions;
    drop table assessment_rollup;
    drop table assessment_evidence;
    drop table assessment_items;
    drop table assessments;
    `,
  );
}
