import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * A survey's number of responses kept in its rollup (issue #13): every survey page (results, distribution,
 * questionnaire, comments, the list) counted the survey's responses, a scan of all of them — 0.3 to 0.45 s at the
 * million answers of a 5,000-site network, most of the network's results page. The fold now adds each batch's
 * responses to `survey_answer_rollup.responses`, and a response without any answer gets its row too (its counts
 * empty). Filled here from the responses already folded; those still waiting are added by their fold.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table survey_answer_rollup add column responses integer not null default 0;
    insert into survey_answer_rollup (org_id, survey_id, month, channel, counts, responses)
    select r.org_id, r.survey_id, date_trunc('month', r.answered_on)::date, r.channel, '{}'::jsonb, count(*)::int
    from survey_responses r
    where not exists (select 1 from survey_pending_counts p where p.org_id = r.org_id and p.response_id = r.id)
    group by r.org_id, r.survey_id, date_trunc('month', r.answered_on)::date, r.channel
    on conflict (org_id, survey_id, month, channel) do update set responses = excluded.responses;
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    delete from survey_answer_rollup where counts = '{}'::jsonb;
    alter table survey_answer_rollup drop column responses;
    `,
  );
}
