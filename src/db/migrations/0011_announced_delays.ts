import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Announced delays as a table: one row per organisation, channel and kind of request that the
 * organisation sets itself; what it does not set it inherits from its nearest ancestor that does,
 * then from its framework. Until now the only way to announce a delay was a local commitment
 * tightening a framework commitment, and only the first of several applied: every reply-delay target
 * of the local commitments becomes rows here (the shortest, where several cover one cell), and leaves
 * the local commitments, which keep the promises that are not delays. Requests keep the delay and due
 * date they were registered with: nothing already computed moves.
 *
 * `received_without_target` counts, in the rollup, requests registered with no announced delay: a
 * service that has not announced one sees how many requests it cannot be held to.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table announced_delays (
      org_id uuid not null references organisations (id) on delete cascade,
      channel text not null check (channel in ('counter', 'phone', 'letter', 'email', 'web')),
      kind text not null check (kind in ('request', 'complaint', 'suggestion')),
      value integer not null check (value between 1 and 365),
      unit text not null check (unit in ('working_days', 'business_days', 'calendar_days')),
      updated_at timestamptz not null default now(),
      primary key (org_id, channel, kind)
    );

    insert into announced_delays (org_id, channel, kind, value, unit)
    select distinct on (l.org_id, ch, k) l.org_id, ch, k, (t ->> 'value')::int, t ->> 'unit'
    from local_commitments l
    cross join lateral jsonb_array_elements(l.targets) as t
    cross join lateral unnest(
      case when jsonb_array_length(coalesce(t -> 'channels', '[]'::jsonb)) = 0
        then array['counter', 'phone', 'letter', 'email', 'web']
        else array(select jsonb_array_elements_text(t -> 'channels')) end
    ) as ch
    cross join lateral unnest(
      case when jsonb_array_length(coalesce(t -> 'kinds', '[]'::jsonb)) = 0
        then array['request', 'complaint', 'suggestion']
        else array(select jsonb_array_elements_text(t -> 'kinds')) end
    ) as k
    where t ->> 'metric' = 'reply_delay' and t ->> 'unit' in ('working_days', 'calendar_days')
    -- 5 working days weigh about 7 calendar days: the shortest promise wins, as it did.
    order by l.org_id, ch, k, case when t ->> 'unit' = 'working_days' then (t ->> 'value')::numeric * 7 / 5 else (t ->> 'value')::numeric end;

    update local_commitments
    set targets = coalesce((select jsonb_agg(t) from jsonb_array_elements(targets) as t where t ->> 'metric' <> 'reply_delay'), '[]'::jsonb)
    where exists (select 1 from jsonb_array_elements(targets) as t where t ->> 'metric' = 'reply_delay');

    alter table requests drop constraint if exists requests_target_unit_check;
    alter table requests add constraint requests_target_unit_check check (target_unit in ('working_days', 'business_days', 'calendar_days'));

    alter table request_rollup add column received_without_target integer not null default 0;
    insert into request_rollup (org_id, month, channel, kind, received_without_target)
    select a.org_id, date_trunc('month', r.received_on)::date, r.channel, r.kind, count(*)
    from requests r
    join organisations o on o.id = r.org_id
    cross join lateral unnest(o.path) as a(org_id)
    where r.target_value is null
    group by 1, 2, 3, 4
    on conflict (org_id, month, channel, kind) do update set received_without_target = excluded.received_without_target;
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "alter table request_rollup drop column received_without_target; drop table announced_delays;");
}
