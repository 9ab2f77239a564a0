import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * The state of each outgoing e-mail, kept on its outbox row so a page reads it in one query (issue #12):
 * - `status`: queued (waiting for its next try), sent, or failed (given up, until someone retries it);
 * - `next_attempt_at`: when a queued message is tried next, shown as « en file, prochain essai à… »;
 * - `error_code`: why the last try failed (not_configured, recipient_refused, unreachable…), shown in
 *   French; `error` keeps the server's own words;
 * - `round`: how many times someone pressed « Renvoyer »: each round has its own job key.
 * Existing rows take the state their job says: sent, given up (failed) or still due (queued).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table outbox add column status text not null default 'queued' check (status in ('queued', 'sent', 'failed'));
    alter table outbox add column next_attempt_at timestamptz;
    alter table outbox add column failed_at timestamptz;
    alter table outbox add column error_code text;
    alter table outbox add column round integer not null default 0;
    update outbox set status = 'sent' where sent_at is not null;
    update outbox o set status = 'failed', failed_at = coalesce(j.created_at, now()), error_code = 'unknown'
      from jobs j
      where o.sent_at is null and j.dedupe_key = 'mail.send:' || o.id::text and j.done_at is null and j.attempts >= j.max_attempts;
    update outbox o set next_attempt_at = j.run_at
      from jobs j
      where o.status = 'queued' and j.dedupe_key = 'mail.send:' || o.id::text;
    create index outbox_request_idx on outbox (org_id, request_id) where request_id is not null;
    create index outbox_unsent_idx on outbox (created_at) where status <> 'sent';
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `drop index outbox_unsent_idx;
    drop index outbox_request_idx;
    alter table outbox drop column round;
    alter table outbox drop column error_code;
    alter table outbox drop column failed_at;
    alter table outbox drop column next_attempt_at;
    alter table outbox drop column status;`,
  );
}
