import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Escalation of overdue requests and the two indicators Services Publics+ names (issue #15, points 4 and 5).
 * - `escalation_settings`: after how many working days past its deadline a request goes to the referent of
 *   its service (and as many again to the site's correspondent); an organisation without a row takes its
 *   nearest ancestor's, else 2.
 * - `service_referents`: the one account a service (or a site, for requests sent to no service) names to
 *   receive its overdue requests. One holder, so « Transmise à … » names a person.
 * - `requests.escalation_level`: 0, 1 (referent), 2 (correspondent): the daily job moves it one step at a
 *   time with a guarded update, so two runs (or two servers) never record the same step twice.
 * - `requests.acknowledged_on`, `holding_on`: the local day of the first acknowledgement and of the first
 *   holding reply, set once, so each is counted once in the rollup whatever is resent.
 * - `requests.late_counted`: the request was counted among the late ones (answered past its deadline, or
 *   still open past it) — by the answer or by the daily job, whichever comes first, once.
 * - `request_rollup.acknowledged_in_time`, `late`, `late_with_holding`: the numerators and the late
 *   denominator, kept up to date for the organisation and each ancestor like the other columns.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table escalation_settings (
      org_id uuid primary key references organisations (id) on delete cascade,
      working_days integer not null check (working_days between 1 and 60),
      updated_at timestamptz not null default now()
    );
    create table service_referents (
      org_id uuid primary key references organisations (id) on delete cascade,
      account_id uuid not null references accounts (id) on delete cascade,
      updated_at timestamptz not null default now()
    );
    alter table requests add column escalation_level smallint not null default 0;
    alter table requests add column acknowledged_on date;
    alter table requests add column holding_on date;
    alter table requests add column late_counted boolean not null default false;
    -- The daily job reads only open requests past their deadline not yet at the last step.
    create index requests_escalation_idx on requests (due_on)
      where escalation_level < 2 and status not in ('answered', 'closed');
    create index requests_late_uncounted_idx on requests (due_on)
      where not late_counted and status not in ('answered', 'closed');
    alter table request_rollup add column acknowledged_in_time integer not null default 0;
    -- The denominator: requests registered in Vigie on a channel that owes an acknowledgement. Rows of an
    -- imported register are left out: Vigie never sent their acknowledgement and cannot know when one went.
    alter table request_rollup add column acknowledgement_owed integer not null default 0;
    alter table request_rollup add column late integer not null default 0;
    alter table request_rollup add column late_with_holding integer not null default 0;
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `alter table request_rollup drop column late_with_holding;
    alter table request_rollup drop column late;
    alter table request_rollup drop column acknowledgement_owed;
    alter table request_rollup drop column acknowledged_in_time;
    drop index requests_late_uncounted_idx;
    drop index requests_escalation_idx;
    alter table requests drop column late_counted;
    alter table requests drop column holding_on;
    alter table requests drop column acknowledged_on;
    alter table requests drop column escalation_level;
    drop table service_referents;
    drop table escalation_settings;`,
  );
}
