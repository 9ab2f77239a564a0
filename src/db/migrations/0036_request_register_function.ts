import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/** The function as this migration creates it (0038 gives it back on the way down). */
export const REQUEST_REGISTER = `
    create function request_register(p_org uuid, p_year integer, p_row jsonb, p_actor_id uuid, p_actor_label text,
                                     p_path uuid[], p_acknowledgement_owed integer)
    returns setof requests
    language plpgsql as $$
    declare
      n bigint;
      written requests;
    begin
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
`;

/**
 * One request registered in one statement (issue #13: registration ran at a third of a bare transaction
 * inserting the request and its event). Its receipt number taken from the organisation's counter for the
 * year, the request written, and its « created » event, as `writeRegistrations` writes them for a register
 * of many rows — the same values, handed over as the JSON of the row. A function's statements keep their
 * plans for the connection's life: PostgreSQL no longer parses and plans them per request.
 *
 * Its count in the rollups waits in `request_rollup_pending`, as a survey answer's does: adding it at once
 * to the rows of the site and of each ancestor cost more than everything else together — the network's row
 * for the month, channel and kind is the same for every site, every registration locked it until its
 * commit and queued behind the one before. An appended row locks nothing; the next read of the rollups
 * (`foldPendingRollups`, and the publication before it looks for what changed) adds the waiting rows, a
 * batch at a time, in one grouped statement. No foreign key: a row lives until the next read, and an
 * organisation with requests cannot be deleted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table request_rollup_pending (
      org_id uuid not null,
      id bigint generated always as identity,
      -- The site and its ancestors when the request was registered: the rows the count goes to.
      path uuid[] not null,
      month date not null,
      channel text not null,
      kind text not null,
      received integer not null,
      received_without_target integer not null,
      acknowledgement_owed integer not null,
      primary key (org_id, id)
    );

    ${REQUEST_REGISTER}
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, "drop function request_register;\ndrop table request_rollup_pending;");
}
