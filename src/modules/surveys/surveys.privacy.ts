import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";

/**
 * Survey comments past their retention period (issue #17, point 5). Answers are anonymous, but free text
 * can name someone (« l'agent Dupont ») or give an address, so the text leaves the answer and the
 * moderation queue once the period has passed. The scores of the same answer stay: the rollups never
 * held the text, and the published rates do not move. One statement, idempotent (a comment erased is
 * gone from `survey_comments`, so it is never picked again). Returns how many comments were erased.
 */
export async function eraseCommentsAnsweredBefore(db: Kysely<DB>, orgId: string, before: string): Promise<number> {
  const result = await sql<{ id: string }>`
    with gone as (
      delete from survey_comments c
      using survey_responses r
      where c.org_id = ${orgId} and r.org_id = c.org_id and r.id = c.response_id and r.answered_on < ${before}
      returning c.response_id, c.question_id
    ), keys as (
      select response_id, array_agg(question_id) as questions from gone group by response_id
    )
    update survey_responses r set answers = r.answers - keys.questions
    from keys
    where r.org_id = ${orgId} and r.id = keys.response_id
    returning r.id`.execute(db);
  return result.rows.length;
}

/** Organisations that hold survey comments, in pages (for the daily retention job). */
export async function organisationsWithComments(db: Kysely<DB>, afterOrgId: string | null, limit: number): Promise<string[]> {
  let q = db.selectFrom("survey_comments").select("org_id").distinct();
  if (afterOrgId) q = q.where("org_id", ">", afterOrgId);
  return (await q.orderBy("org_id").limit(limit).execute()).map((r) => r.org_id);
}
