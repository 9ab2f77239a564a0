import type { Kysely } from "kysely";
import { runScript } from "../script.ts";
import { markPublicationOnChange } from "./0019_publication_chunks.ts";

/**
 * A survey's answers counted at the levels its pages read (issue #13: the survey answer ran at 56–58 % of a bare
 * pair, goal 60 %, and two thirds of its fold went to the per-site answer rollup).
 *
 * - `survey_answer_rollup` keeps every question's counts per survey × month × channel, no longer per site. The fold
 *   merged a JSON object of 19 counts into one row per site touched, 0.4 s for 4,500 answers on 5,000 sites; the
 *   answers of a batch now fall into a handful of rows (50 ms). The results page of a network's survey reads 12 rows
 *   per channel for a year instead of 5,000 times as many.
 * - `survey_site_rollup` keeps per site what the comparison between sites shows: the headline question's answers
 *   and their sentiments, four integers (40 ms for the same batch). The results of one site, every question, are
 *   read from that site's own answers (`survey_responses_site_idx`): bounded by what the site received, whatever
 *   the size of the network.
 * - Both mark the survey's organisation for publication, as every rollup table does (0019): a few rows per fold.
 *   The satisfaction rollup marks the organisations whose rows changed, and nothing more: it holds a row for every
 *   ancestor of the answering site, all written by the same statement, so the ancestors the generic trigger found
 *   again through `organisations.path` are already among them (that search was a third of the fold's time).
 *
 * The per-site rows of 0037 are converted with the survey's last version: its headline question (`overall`, or the
 * first opinion question, as rollup.ts `headlineQuestion`) and the sentiment of each answer value (questionnaire.ts
 * `sentimentOf`), restated here in SQL so this migration keeps meaning what it meant when written.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table survey_site_rollup (
      org_id uuid not null,
      survey_id uuid not null,
      month date not null,
      site_id uuid not null,
      channel text not null,
      answered integer not null default 0,
      satisfied integer not null default 0,
      neutral integer not null default 0,
      dissatisfied integer not null default 0,
      primary key (org_id, survey_id, month, site_id, channel),
      foreign key (org_id, survey_id) references surveys (org_id, id) on delete cascade
    );

    with latest as (
      select distinct on (org_id, survey_id) org_id, survey_id, definition
      from survey_versions order by org_id, survey_id, version desc
    ),
    opinion as (
      select l.org_id, l.survey_id, q.value as q, s.i as section, q.i as position
      from latest l,
           jsonb_array_elements(l.definition -> 'sections') with ordinality as s(value, i),
           jsonb_array_elements(s.value -> 'questions') with ordinality as q(value, i)
      where q.value ->> 'type' in ('scale', 'smiley', 'recommendation')
         or (q.value ->> 'type' = 'yes_no' and coalesce(q.value ->> 'satisfiedWhen', 'yes') <> 'none')
    ),
    headline as (
      select distinct on (org_id, survey_id) org_id, survey_id, q
      from opinion order by org_id, survey_id, (q ->> 'id' = 'overall') desc, section, position
    ),
    valued as (
      select r.org_id, r.survey_id, r.month, r.site_id, r.channel, h.q, substr(e.key, length(h.q ->> 'id') + 2) as value, e.value::int as n
      from survey_answer_rollup r
      join headline h on h.org_id = r.org_id and h.survey_id = r.survey_id
      cross join lateral jsonb_each_text(r.counts) as e(key, value)
      where left(e.key, length(h.q ->> 'id') + 1) = (h.q ->> 'id') || ' '
    ),
    felt as (
      select v.*,
        case
          when v.value = '*' then null
          when v.q ->> 'type' = 'yes_no' then
            case when v.value = coalesce(v.q ->> 'satisfiedWhen', 'yes') then 'satisfied' else 'dissatisfied' end
          when v.value !~ '^[0-9]+$' then null
          when v.q ->> 'type' = 'recommendation' then
            case when v.value::int >= 9 then 'satisfied' when v.value::int <= 6 then 'dissatisfied' else 'neutral' end
          when v.q ->> 'type' = 'smiley' and v.q ->> 'levels' = '3' then
            case when v.value::int = 3 then 'satisfied' when v.value::int = 1 then 'dissatisfied' else 'neutral' end
          else
            case when v.value::int >= 4 then 'satisfied' when v.value::int <= 2 then 'dissatisfied' else 'neutral' end
        end as sentiment
      from valued v
    )
    insert into survey_site_rollup (org_id, survey_id, month, site_id, channel, answered, satisfied, neutral, dissatisfied)
    select org_id, survey_id, month, site_id, channel,
           coalesce(sum(n) filter (where value = '*'), 0), coalesce(sum(n) filter (where sentiment = 'satisfied'), 0),
           coalesce(sum(n) filter (where sentiment = 'neutral'), 0), coalesce(sum(n) filter (where sentiment = 'dissatisfied'), 0)
    from felt
    group by org_id, survey_id, month, site_id, channel;

    alter table survey_answer_rollup rename to survey_answer_rollup_0037;
    alter index survey_answer_rollup_pkey rename to survey_answer_rollup_0037_pkey;
    alter table survey_answer_rollup_0037 rename constraint survey_answer_rollup_org_id_survey_id_fkey to survey_answer_rollup_0037_fkey;
    create table survey_answer_rollup (
      org_id uuid not null,
      survey_id uuid not null,
      month date not null,
      channel text not null,
      counts jsonb not null,
      primary key (org_id, survey_id, month, channel),
      foreign key (org_id, survey_id) references surveys (org_id, id) on delete cascade
    );
    insert into survey_answer_rollup (org_id, survey_id, month, channel, counts)
    select org_id, survey_id, month, channel, jsonb_object_agg(key, n)
    from (
      select r.org_id, r.survey_id, r.month, r.channel, e.key, sum(e.value::int) as n
      from survey_answer_rollup_0037 r, jsonb_each_text(r.counts) as e(key, value)
      group by r.org_id, r.survey_id, r.month, r.channel, e.key
    ) as per_key
    group by org_id, survey_id, month, channel;
    drop table survey_answer_rollup_0037;
    ${markPublicationOnChange("survey_answer_rollup")}
    ${markPublicationOnChange("survey_site_rollup")}

    create function publication_mark_rows_changed() returns trigger
    language plpgsql as $$
    begin
      insert into publication_dirty (org_id) select distinct c.org_id from changed c;
      return null;
    end
    $$;
    drop trigger survey_satisfaction_rollup_publication_ins on survey_satisfaction_rollup;
    drop trigger survey_satisfaction_rollup_publication_upd on survey_satisfaction_rollup;
    create trigger survey_satisfaction_rollup_publication_ins after insert on survey_satisfaction_rollup
      referencing new table as changed for each statement execute function publication_mark_rows_changed();
    create trigger survey_satisfaction_rollup_publication_upd after update on survey_satisfaction_rollup
      referencing new table as changed for each statement execute function publication_mark_rows_changed();
    `,
  );
}

/** Back to 0037's shape. Every question's counts were not kept per site: each month's go under the survey's own organisation. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop trigger survey_satisfaction_rollup_publication_ins on survey_satisfaction_rollup;
    drop trigger survey_satisfaction_rollup_publication_upd on survey_satisfaction_rollup;
    create trigger survey_satisfaction_rollup_publication_ins after insert on survey_satisfaction_rollup
      referencing new table as changed for each statement execute function publication_mark_changed();
    create trigger survey_satisfaction_rollup_publication_upd after update on survey_satisfaction_rollup
      referencing new table as changed for each statement execute function publication_mark_changed();
    drop function publication_mark_rows_changed();

    alter table survey_answer_rollup rename to survey_answer_rollup_0039;
    alter index survey_answer_rollup_pkey rename to survey_answer_rollup_0039_pkey;
    alter table survey_answer_rollup_0039 rename constraint survey_answer_rollup_org_id_survey_id_fkey to survey_answer_rollup_0039_fkey;
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
    select org_id, survey_id, month, org_id, channel, counts from survey_answer_rollup_0039;
    drop table survey_answer_rollup_0039;
    ${markPublicationOnChange("survey_answer_rollup")}
    drop table survey_site_rollup;
    `,
  );
}
