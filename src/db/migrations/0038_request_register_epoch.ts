import type { Kysely } from "kysely";
import { runScript } from "../script.ts";
import { REQUEST_REGISTER } from "./0036_request_register_function.ts";

/**
 * A registration checks the settings it was planned with in its own statement (issue #13: registration ran at
 * 38 % of a bare transaction, one round trip of five spent reading the settings epoch before the write).
 * `request_register` takes the epoch the delays, calendars and webhook endpoints were read at — the one this
 * process last saw — and writes nothing, returning no row, when it is no longer the current one: the caller
 * reads the epoch, plans again and writes again. Null checks nothing (as before). The same check as the
 * survey answer's (0037).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop function request_register(uuid, integer, jsonb, uuid, text, uuid[], integer);

    create function request_register(p_org uuid, p_year integer, p_row jsonb, p_actor_id uuid, p_actor_label text,
                                     p_path uuid[], p_acknowledgement_owed integer, p_settings_epoch text default null)
    returns setof requests
    language plpgsql as $$
    declare
      n bigint;
      written requests;
    begin
      if p_settings_epoch is not null
         and p_settings_epoch is distinct from (select database::text || '/' || epoch::text from settings_epoch) then
        return;
      end if;
      insert into request_counters (org_id, year, last) values (p_org, p_year, 1)
      on conflict (org_id, year) do update set last = request_counters.last + 1
      returning last into n;
      insert into requests (org_id, number, kind, channel, status, source, subject, body, requester_name, requester_email,
                            requester_phone, requester_address, received_on, target_value, target_unit, commitment_id, due_on,
                            announced_on, paused_since, service_id, assignee_id, answered_on, response_days, closed_on,
                            tracking_token_hash)
      select p_org, p_year || '-' || lpad(n::text, greatest(6, length(n::text)), '0'), v.kind, v.channel, v.status, v.source,
             v.subject, v.body, v.requester_name, v.requester_email, v.requester_phone, v.requester_address, v.received_on,
             v.target_value, v.target_unit, v.commitment_id, v.due_on, v.announced_on, v.paused_since, v.service_id,
             v.assignee_id, v.answered_on, v.response_days, v.closed_on, v.tracking_token_hash
      from jsonb_populate_record(null::requests, p_row) as v
      returning * into written;
      insert into request_events (org_id, request_id, actor_id, actor_label, type, to_status, data)
      values (p_org, written.id, p_actor_id, p_actor_label, 'created', written.status,
              jsonb_build_object('source', written.source, 'dueOn', written.due_on));
      insert into request_rollup_pending (org_id, path, month, channel, kind, received, received_without_target, acknowledgement_owed)
      values (p_org, p_path, date_trunc('month', written.received_on)::date, written.channel, written.kind, 1,
              case when written.target_value is null then 1 else 0 end, p_acknowledgement_owed);
      return next written;
    end
    $$;
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `drop function request_register(uuid, integer, jsonb, uuid, text, uuid[], integer, text);\n${REQUEST_REGISTER}`);
}
