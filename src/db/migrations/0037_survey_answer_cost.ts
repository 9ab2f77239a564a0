import type { Kysely } from "kysely";
import { runScript } from "../script.ts";
import { SURVEY_RECORD_RESPONSE } from "./0007_survey_distribution.ts";
import { markPublicationOnChange } from "./0019_publication_chunks.ts";

/**
 * A survey answer costs less (issue #13: it ran at a third of a bare pair doing the same writes).
 *
 * - The limit per address is counted in the answer's own statement. It was a statement of its own before
 *   the answer, with its own commit; on a machine where each round trip to the database costs a system
 *   call on both sides, the public form's two requests made six. The address's counter is the one `takeHit`
 *   keeps (`rate_counters`, a fixed window): counted first, as before, so a refused answer counts against
 *   the address too; null for an answer that has no address limit (the counter kiosk, limited per link).
 * - The answer may be written with settings read at the epoch this process last saw (kernel/settings-epoch.ts):
 *   the statement checks that epoch is still the current one and writes nothing otherwise (`stale`), and the
 *   caller reads the settings again. The site of the link and the webhook endpoints listening are then
 *   checked at the epoch of the write itself, without a round trip of their own.
 * - `survey_answer_rollup` keeps one row per survey × month × site × channel, its counts in one JSON object
 *   (« question value » → answers), instead of one row per question and value: folding an answer of the
 *   annual survey upserted 19 rows, two thirds of its cost; it now upserts one. A year of a 5,000-site
 *   network holds 64,000 rows instead of 2.2 million. Question ids have no space (questionnaire.ts), so the
 *   first space of a key ends the question.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop function survey_record_response(uuid, uuid, integer, text, date, jsonb, text, uuid, text, text, uuid[], text[], text[],
                                         text[], integer[], integer[], integer[], integer[], text[], text, text, timestamptz,
                                         timestamptz, integer);

    create function survey_record_response(
      p_org uuid, p_survey uuid, p_version integer, p_channel text, p_day date, p_answers jsonb, p_token text,
      p_site uuid, p_via text, p_invitation text, p_path uuid[], p_question_ids text[], p_values text[],
      p_measures text[], p_satisfied integer[], p_neutral integer[], p_dissatisfied integer[], p_rated_8 integer[],
      p_comments text[], p_rate_bucket text, p_rate_key text, p_rate_since timestamptz, p_rate_now timestamptz, p_rate_max integer,
      p_hit_bucket text, p_hit_key text, p_hit_window timestamptz, p_hit_max integer, p_settings_epoch text
    ) returns table (limited boolean, recorded boolean, invited boolean, stale boolean)
    language plpgsql as $$
    declare
      n integer;
      rid uuid;
      inv boolean := false;
    begin
      if p_settings_epoch is not null
         and p_settings_epoch is distinct from (select database::text || '/' || epoch::text from settings_epoch) then
        return query select false, false, false, true;
        return;
      end if;
      if p_hit_bucket is not null then
        insert into rate_counters (bucket, key_hash, window_start) values (p_hit_bucket, p_hit_key, p_hit_window)
        on conflict (bucket, key_hash, window_start) do update set hits = rate_counters.hits + 1
        returning hits into n;
        if n > p_hit_max then
          return query select true, false, false, false;
          return;
        end if;
      end if;
      select count(*) into n from rate_events where bucket = p_rate_bucket and key_hash = p_rate_key and at > p_rate_since;
      if n >= p_rate_max then
        return query select true, false, false, false;
        return;
      end if;
      insert into rate_events (bucket, key_hash, at) values (p_rate_bucket, p_rate_key, p_rate_now);
      if p_invitation is not null then
        update survey_invitations set used_on = p_day
        where org_id = p_org and survey_id = p_survey and token_hash = p_invitation and used_on is null;
        inv := found;
        if not inv then
          return query select false, false, false, false;
          return;
        end if;
      end if;
      insert into survey_responses (org_id, survey_id, version, channel, answered_on, answers, form_token_hash, site_id, via)
      values (p_org, p_survey, p_version, p_channel, p_day, p_answers, p_token, p_site, p_via)
      on conflict (org_id, survey_id, form_token_hash) do nothing
      returning id into rid;
      if rid is null then
        return query select false, false, inv, false;
        return;
      end if;
      insert into survey_pending_counts (org_id, response_id, survey_id, month, site_id, site_path, channel, question_ids, answer_values,
                                         measures, satisfied, neutral, dissatisfied, rated_8)
      values (p_org, rid, p_survey, date_trunc('month', p_day)::date, p_site, p_path, p_channel, p_question_ids, p_values,
              p_measures, p_satisfied, p_neutral, p_dissatisfied, p_rated_8);
      -- Most answers carry no comment: no statement for them.
      if cardinality(p_comments) > 0 then
        insert into survey_comments (org_id, response_id, question_id) select p_org, rid, q from unnest(p_comments) as q;
      end if;
      return query select false, true, inv, false;
    end
    $$;

    alter table survey_answer_rollup rename to survey_answer_rollup_0007;
    alter index survey_answer_rollup_pkey rename to survey_answer_rollup_0007_pkey;
    alter table survey_answer_rollup_0007 rename constraint survey_answer_rollup_org_id_survey_id_fkey to survey_answer_rollup_0007_fkey;
    create table survey_answer_rollup (
      org_id uuid not null,
      survey_id uuid not null,
      month date not null,
      site_id uuid not null,
      channel text not null,
      counts jsonb not null,
      primary key (org_id, survey_id, month, site_id, channel),
      foreign key (org_id, survey_id) references surveys (org_id, id) on delete cascade
    );
    insert into survey_answer_rollup (org_id, survey_id, month, site_id, channel, counts)
    select org_id, survey_id, month, site_id, channel, jsonb_object_agg(question_id || ' ' || value, answers)
    from survey_answer_rollup_0007
    group by org_id, survey_id, month, site_id, channel;
    drop table survey_answer_rollup_0007;
    ${markPublicationOnChange("survey_answer_rollup")}
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop function survey_record_response;
    ${SURVEY_RECORD_RESPONSE}

    alter table survey_answer_rollup rename to survey_answer_rollup_0037;
    alter index survey_answer_rollup_pkey rename to survey_answer_rollup_0037_pkey;
    alter table survey_answer_rollup_0037 rename constraint survey_answer_rollup_org_id_survey_id_fkey to survey_answer_rollup_0037_fkey;
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
    insert into survey_answer_rollup (org_id, survey_id, month, site_id, channel, question_id, value, answers)
    select r.org_id, r.survey_id, r.month, r.site_id, r.channel, split_part(e.key, ' ', 1), substr(e.key, strpos(e.key, ' ') + 1),
           e.value::int
    from survey_answer_rollup_0037 r, jsonb_each_text(r.counts) as e(key, value);
    drop table survey_answer_rollup_0037;
    ${markPublicationOnChange("survey_answer_rollup")}
    `,
  );
}
