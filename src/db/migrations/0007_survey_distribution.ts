import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Surveys, second step (issue #5): editing with a draft and an optimistic version, distribution
 * (site of the answer, kiosk, invitations), the rollups every result is read from, and the
 * moderation of free-text comments.
 *
 * - `survey_answer_rollup`: one row per survey × month × site × channel × question × answer value,
 *   the per-question results of one survey (free text counts as the value '').
 * - `survey_satisfaction_rollup`: one row per organisation **and each ancestor** × month × channel ×
 *   measure (`overall`: the questionnaire's headline question; `recommendation`: 0–10 questions),
 *   with the satisfied / neutral / dissatisfied counts and the answers rated 8 or more. A node of the
 *   tree reads its whole subtree in a few rows; its children's rows compare its sites.
 * A response's counts are written in its own statement to `survey_pending_counts`, and folded into
 * both rollups (grouped, one upsert per rollup row) before any read of them: concurrent answers then
 * never wait on each other's rollup rows, and every read sees every stored answer.
 *
 * Invitations keep only the token's hash and the day it was used, never which request or person it
 * was sent for, and a response does not point to its invitation: an invited answer stays anonymous.
 */
/** The answer function as this migration made it (0037 replaces it, and puts it back when undone). */
export const SURVEY_RECORD_RESPONSE = `
    -- The answer path in one call: statements planned once per connection (PL/pgSQL caches its plans)
    -- instead of a six-part statement parsed and planned on every answer.
    create function survey_record_response(
      p_org uuid, p_survey uuid, p_version integer, p_channel text, p_day date, p_answers jsonb, p_token text,
      p_site uuid, p_via text, p_invitation text, p_path uuid[], p_question_ids text[], p_values text[],
      p_measures text[], p_satisfied integer[], p_neutral integer[], p_dissatisfied integer[], p_rated_8 integer[],
      p_comments text[], p_rate_bucket text, p_rate_key text, p_rate_since timestamptz, p_rate_now timestamptz, p_rate_max integer
    ) returns table (limited boolean, recorded boolean, invited boolean)
    language plpgsql as $$
    declare
      n integer;
      rid uuid;
      inv boolean := false;
    begin
      select count(*) into n from rate_events where bucket = p_rate_bucket and key_hash = p_rate_key and at > p_rate_since;
      if n >= p_rate_max then
        return query select true, false, false;
        return;
      end if;
      insert into rate_events (bucket, key_hash, at) values (p_rate_bucket, p_rate_key, p_rate_now);
      if p_invitation is not null then
        update survey_invitations set used_on = p_day
        where org_id = p_org and survey_id = p_survey and token_hash = p_invitation and used_on is null;
        inv := found;
        if not inv then
          return query select false, false, false;
          return;
        end if;
      end if;
      insert into survey_responses (org_id, survey_id, version, channel, answered_on, answers, form_token_hash, site_id, via)
      values (p_org, p_survey, p_version, p_channel, p_day, p_answers, p_token, p_site, p_via)
      on conflict (org_id, survey_id, form_token_hash) do nothing
      returning id into rid;
      if rid is null then
        return query select false, false, inv;
        return;
      end if;
      insert into survey_pending_counts (org_id, response_id, survey_id, month, site_id, site_path, channel, question_ids, answer_values,
                                         measures, satisfied, neutral, dissatisfied, rated_8)
      values (p_org, rid, p_survey, date_trunc('month', p_day)::date, p_site, p_path, p_channel, p_question_ids, p_values,
              p_measures, p_satisfied, p_neutral, p_dissatisfied, p_rated_8);
      insert into survey_comments (org_id, response_id, question_id) select p_org, rid, q from unnest(p_comments) as q;
      return query select false, true, inv;
    end
    $$;
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table surveys add column version integer not null default 1;
    alter table surveys add column draft jsonb;
    -- Sends an invitation link with the e-mail answer of a request (one open survey per organisation).
    alter table surveys add column invite_after_answer boolean not null default false;
    -- Rotating it revokes every kiosk link handed out for the survey.
    alter table surveys add column kiosk_nonce text not null default md5(random()::text);

    alter table survey_responses add column site_id uuid;
    update survey_responses set site_id = org_id;
    alter table survey_responses alter column site_id set not null;
    alter table survey_responses add column via text not null default 'link' check (via in ('link', 'kiosk', 'invitation', 'api'));
    -- The day is enough: a time of day would help tie an invited answer to the e-mail that asked for it.
    alter table survey_responses drop column created_at;

    create table survey_answer_rollup (
      org_id uuid not null,
      survey_id uuid not null,
      month date not null,
      site_id uuid not null,
      channel text not null,
      question_id text not null,
      value text not null,
      answers integer not null default 0,
      primary key (org_id, survey_id, month, site_id, channel, question_id, value),
      foreign key (org_id, survey_id) references surveys (org_id, id) on delete cascade
    );

    create table survey_satisfaction_rollup (
      org_id uuid not null references organisations (id) on delete cascade,
      month date not null,
      channel text not null,
      measure text not null check (measure in ('overall', 'recommendation')),
      answered integer not null default 0,
      satisfied integer not null default 0,
      neutral integer not null default 0,
      dissatisfied integer not null default 0,
      rated_8 integer not null default 0,
      primary key (org_id, month, channel, measure)
    );

    create table survey_pending_counts (
      org_id uuid not null,
      response_id uuid not null,
      survey_id uuid not null,
      month date not null,
      site_id uuid not null,
      -- The site and its ancestors, when the answer was given: each one counts it.
      site_path uuid[] not null,
      channel text not null,
      question_ids text[] not null,
      answer_values text[] not null,
      measures text[] not null,
      satisfied integer[] not null,
      neutral integer[] not null,
      dissatisfied integer[] not null,
      rated_8 integer[] not null,
      primary key (org_id, response_id),
      foreign key (org_id, response_id) references survey_responses (org_id, id) on delete cascade
    );

    ${SURVEY_RECORD_RESPONSE}

    create table survey_invitations (
      org_id uuid not null,
      survey_id uuid not null,
      token_hash text not null,
      created_on date not null default current_date,
      used_on date,
      primary key (org_id, token_hash),
      foreign key (org_id, survey_id) references surveys (org_id, id) on delete cascade
    );

    create table survey_comments (
      org_id uuid not null,
      response_id uuid not null,
      question_id text not null,
      status text not null default 'pending' check (status in ('pending', 'published', 'hidden')),
      -- What may be published: the text with personal data removed by a person.
      published_text text,
      themes text[] not null default '{}',
      version integer not null default 1,
      reviewed_at timestamptz,
      primary key (org_id, response_id, question_id),
      foreign key (org_id, response_id) references survey_responses (org_id, id) on delete cascade
    );
    create index survey_comments_status_idx on survey_comments (org_id, status);
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop function survey_record_response;
    drop table survey_comments;
    drop table survey_invitations;
    drop table survey_pending_counts;
    drop table survey_satisfaction_rollup;
    drop table survey_answer_rollup;
    alter table survey_responses add column created_at timestamptz not null default now();
    alter table survey_responses drop column via;
    alter table survey_responses drop column site_id;
    alter table surveys drop column kiosk_nonce;
    alter table surveys drop column invite_after_answer;
    alter table surveys drop column draft;
    alter table surveys drop column version;
    `,
  );
}
