import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import { accountContactsSql, isActiveAccountSql, nearestHolderSql } from "../accounts/accounts.service.ts";
import { organisationNameSql, organisationPlacesSql } from "../organisations/organisations.service.ts";

/** Working days past the deadline before a request goes up a step, when neither the site nor an ancestor set it. */
export const DEFAULT_ESCALATION_DAYS = 2;

/** A request moved one step up by the daily job, with its new holder. */
export interface EscalatedRequest {
  orgId: string;
  requestId: string;
  number: string;
  subject: string;
  level: 1 | 2;
  lateDays: number;
  holderId: string;
  holderName: string;
  holderEmail: string;
}

/**
 * One step for every open request far enough past its deadline, in one statement whatever the number of
 * sites (issue #15, point 4):
 * - lateness is counted in working days of the site's holiday zone (`workingDays`: the zone's working days
 *   around today, computed by the calendar module), from the deadline (the later of the due date and the
 *   date a holding reply announced) to the site's own today; a paused request is not counted;
 * - N is the site's setting, else its nearest ancestor's, else DEFAULT_ESCALATION_DAYS;
 * - step 1 (late ≥ N): the referent named for the request's service (for the site when it has no service);
 *   step 2 (late ≥ 2N, and step 1 done or impossible): the site's correspondent, the correspondent role
 *   held on the site or its nearest ancestor that has one;
 * - one step per run, and the update is guarded by the level it read: a second run, or a second server at
 *   the same time, finds nothing more to do. The history line is written by the same statement.
 * Closure days of a site (org_closures) are not subtracted: at worst a request goes up a day early after one.
 * Each site's place comes from organisations, the holders from accounts: expressions they lend, embedded here.
 */
export async function escalateOverdue(db: Kysely<DB>, workingDays: Record<string, string[]>, now: Date): Promise<EscalatedRequest[]> {
  const result = await sql<{
    org_id: string;
    id: string;
    number: string;
    subject: string;
    escalation_level: number;
    late_days: number;
    holder_id: string;
    display_name: string;
    email: string;
  }>`
    with zone_days as (
      select z.key as zone, d::date as day
      from jsonb_each(${JSON.stringify(workingDays)}::jsonb) as z(key, value)
      cross join lateral jsonb_array_elements_text(z.value) as d
    ),
    candidates as (
      select r.org_id, r.id, r.escalation_level, r.service_id, o.path, o.holiday_zone,
        greatest(r.due_on, coalesce(r.announced_on, r.due_on)) as deadline,
        (${now}::timestamptz at time zone o.time_zone)::date as today
      from requests r
      join ${organisationPlacesSql()} o on o.id = r.org_id
      where r.escalation_level < 2 and r.status not in ('answered', 'closed') and r.paused_since is null
        and r.due_on < (${now}::timestamptz at time zone 'UTC')::date + 1
    ),
    measured as (
      select c.org_id, c.id, c.escalation_level,
        (select count(*) from zone_days z where z.zone = c.holiday_zone and z.day > c.deadline and z.day <= c.today)::int as late_days,
        coalesce((
          select s.working_days from escalation_settings s
          join unnest(c.path) with ordinality as p(id, depth) on p.id = s.org_id
          order by p.depth desc limit 1
        ), ${DEFAULT_ESCALATION_DAYS}) as n,
        (
          select sr.account_id from service_referents sr
          where sr.org_id = coalesce(c.service_id, c.org_id) and ${isActiveAccountSql("sr.account_id")}
        ) as referent_id,
        ${nearestHolderSql(sql.ref("c.path"), "correspondent")} as correspondent_id
      from candidates c
    ),
    steps as (
      select m.*,
        case
          when m.late_days >= 2 * m.n and m.correspondent_id is not null and (m.escalation_level = 1 or m.referent_id is null) then 2
          when m.late_days >= m.n and m.escalation_level = 0 and m.referent_id is not null then 1
        end as to_level
      from measured m
    ),
    moved as (
      update requests r
      set escalation_level = s.to_level,
        assignee_id = case when s.to_level = 1 then s.referent_id else s.correspondent_id end,
        version = r.version + 1,
        updated_at = now()
      from steps s
      where s.to_level is not null and r.org_id = s.org_id and r.id = s.id and r.escalation_level = s.escalation_level
      returning r.org_id, r.id, r.number, r.subject, r.escalation_level, r.assignee_id,
        coalesce(r.service_id, r.org_id) as referent_of, s.late_days
    ),
    described as (
      select m.*, a.display_name, a.email,
        case when m.escalation_level = 1
          then 'référent de « ' || ${organisationNameSql("m.referent_of")} || ' »'
          else 'correspondant du site'
        end as role_label
      from moved m
      join ${accountContactsSql()} a on a.id = m.assignee_id
    ),
    events as (
      insert into request_events (org_id, request_id, actor_id, actor_label, type, note, data)
      select d.org_id, d.id, null, 'Vigie', 'escalated',
        'Transmise à ' || d.display_name || ' (' || d.role_label || '), ' || d.late_days
          || case when d.late_days > 1 then ' jours ouvrés' else ' jour ouvré' end || ' après l''échéance',
        jsonb_build_object('level', d.escalation_level, 'accountId', d.assignee_id, 'lateDays', d.late_days)
      from described d
      returning request_id
    )
    select d.org_id, d.id, d.number, d.subject, d.escalation_level, d.late_days, d.assignee_id as holder_id, d.display_name, d.email
    from described d
    order by d.org_id, d.number`.execute(db);
  return result.rows.map((r) => ({
    orgId: r.org_id,
    requestId: r.id,
    number: r.number,
    subject: r.subject,
    level: r.escalation_level === 1 ? 1 : 2,
    lateDays: r.late_days,
    holderId: r.holder_id,
    holderName: r.display_name,
    holderEmail: r.email,
  }));
}

/**
 * The open requests that passed their due date (the original one: a holding reply does not excuse it) and
 * were not counted late yet join the late ones of the rollup, for their organisation and each ancestor, in
 * one statement; each request once (`late_counted`).
 */
export async function countOpenLate(db: Kysely<DB>, now: Date): Promise<number> {
  const result = await sql<{ n: number }>`
    with marked as (
      update requests r set late_counted = true
      from ${organisationPlacesSql()} o
      where o.id = r.org_id and not r.late_counted and r.status not in ('answered', 'closed')
        and r.due_on < (${now}::timestamptz at time zone o.time_zone)::date
      returning r.org_id, r.received_on, r.channel, r.kind, (r.holding_on is not null and r.holding_on <= r.due_on) as held
    ),
    counted as (
      select p.id as org_id, date_trunc('month', m.received_on)::date as month, m.channel, m.kind,
        count(*)::int as late, (count(*) filter (where m.held))::int as held
      from marked m
      join ${organisationPlacesSql()} o on o.id = m.org_id
      cross join lateral unnest(o.path) as p(id)
      group by 1, 2, 3, 4
    ),
    written as (
      insert into request_rollup (org_id, month, channel, kind, late, late_with_holding)
      -- The rollup's lock order (requests.repository.ts, byRollupLockOrder): an answer writing the same rows waits, never deadlocks.
      select org_id, month, channel, kind, late, held from counted order by month, channel, kind, org_id
      on conflict (org_id, month, channel, kind) do update set
        late = request_rollup.late + excluded.late,
        late_with_holding = request_rollup.late_with_holding + excluded.late_with_holding
      returning 1
    )
    select (select count(*) from marked)::int as n`.execute(db);
  return result.rows[0]?.n ?? 0;
}

export async function escalationDaysOf(db: Kysely<DB>, orgId: string): Promise<number | null> {
  const row = await db.selectFrom("escalation_settings").select("working_days").where("org_id", "=", orgId).executeTakeFirst();
  return row?.working_days ?? null;
}

/** The nearest setting above an organisation (its ancestors, nearest first), for « hérité de … ». */
export async function inheritedEscalationDays(db: Kysely<DB>, ancestors: string[]): Promise<{ orgId: string; days: number } | null> {
  if (!ancestors.length) return null;
  const rows = await db.selectFrom("escalation_settings").select(["org_id", "working_days"]).where("org_id", "in", ancestors).execute();
  for (const id of [...ancestors].reverse()) {
    const row = rows.find((r) => r.org_id === id);
    if (row) return { orgId: id, days: row.working_days };
  }
  return null;
}

export async function setEscalationDays(db: Kysely<DB>, orgId: string, days: number | null): Promise<void> {
  if (days === null) {
    await db.deleteFrom("escalation_settings").where("org_id", "=", orgId).execute();
    return;
  }
  await db
    .insertInto("escalation_settings")
    .values({ org_id: orgId, working_days: days })
    .onConflict((oc) => oc.column("org_id").doUpdateSet({ working_days: days, updated_at: sql`now()` }))
    .execute();
}

/** The named referent of each of these organisations (services, or the site itself). */
export async function referentsOf(db: Kysely<DB>, orgIds: string[]): Promise<Map<string, string>> {
  if (!orgIds.length) return new Map();
  const rows = await db.selectFrom("service_referents").select(["org_id", "account_id"]).where("org_id", "in", orgIds).execute();
  return new Map(rows.map((r) => [r.org_id, r.account_id]));
}

export async function setReferent(db: Kysely<DB>, orgId: string, accountId: string | null): Promise<void> {
  if (accountId === null) {
    await db.deleteFrom("service_referents").where("org_id", "=", orgId).execute();
    return;
  }
  await db
    .insertInto("service_referents")
    .values({ org_id: orgId, account_id: accountId })
    .onConflict((oc) => oc.column("org_id").doUpdateSet({ account_id: accountId, updated_at: sql`now()` }))
    .execute();
}
