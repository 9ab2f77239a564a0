import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Satisfaction surveys: a questionnaire per organisation, its frozen versions, and the anonymous
 * responses. No address, account or other identifying column: a response row holds the answers,
 * the day, the channel and the hash of the one-time form token (random, tied to nothing else) that
 * stops the same form from being counted twice. Results are read from the responses for now; the
 * monthly rollup comes with the next step (issue #5).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table surveys (
      org_id uuid not null references organisations (id) on delete restrict,
      id uuid not null default gen_random_uuid(),
      title text not null,
      channel text check (channel in ('counter', 'phone', 'letter', 'email', 'web')),
      template text not null,
      status text not null default 'open' check (status in ('open', 'closed')),
      created_at timestamptz not null default now(),
      primary key (org_id, id)
    );

    create table survey_versions (
      org_id uuid not null,
      survey_id uuid not null,
      version integer not null check (version > 0),
      definition jsonb not null,
      created_at timestamptz not null default now(),
      primary key (org_id, survey_id, version),
      foreign key (org_id, survey_id) references surveys (org_id, id) on delete cascade
    );

    create table survey_responses (
      org_id uuid not null,
      id uuid not null default gen_random_uuid(),
      survey_id uuid not null,
      version integer not null,
      channel text not null check (channel in ('counter', 'phone', 'letter', 'email', 'web')),
      answered_on date not null,
      answers jsonb not null,
      -- SHA-256 of the one-time form token: a second post of the same form meets this key
      form_token_hash text not null,
      created_at timestamptz not null default now(),
      primary key (org_id, id),
      unique (org_id, survey_id, form_token_hash),
      foreign key (org_id, survey_id, version) references survey_versions (org_id, survey_id, version) on delete cascade
    );
    create index survey_responses_month_idx on survey_responses (org_id, survey_id, answered_on);
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop table survey_responses;
    drop table survey_versions;
    drop table surveys;
    `,
  );
}
