import { type RawBuilder, sql } from "kysely";

/**
 * What the alerts module's deadline scan embeds of the requests table, lent through its point
 * (`deadlineRequestsPoint`: requests sends its alerts through that module, which cannot import it back),
 * so that only this module names its table (test/architecture.test.ts).
 */

/**
 * The open requests with a due date before `before` (a date expression), not paused — those whose deadline
 * may be near or passed — as a derived table (`org_id`, `id`, `number`, `subject`, `due_on`).
 */
export function openRequestsDueBeforeSql(before: RawBuilder<unknown>) {
  return sql`(
    select r.org_id, r.id, r.number, r.subject, r.due_on from requests r
    where r.status not in ('answered', 'closed') and r.due_on is not null and r.paused_since is null
      and r.due_on < ${before})`;
}
