import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Service accounts and per-module token scopes (issue #16, point 2).
 * - `accounts.service`: an account that stands for another system (a telephony platform…), never for
 *   a person: it has roles like any account but signs in neither with a password nor with an OpenID
 *   provider; it acts only through the API tokens an instance administrator gives it.
 * - `api_tokens.modules`: what the token may do in each module of the API (`{"calls": "write",
 *   "dashboards": "read"}`); null keeps the token's `scope` for every module, present and future.
 * - `requests.overdue_event_at`: when the webhook event `request.overdue` was recorded for the request,
 *   so the daily job sends it once per request, whatever the retries; the partial index finds the
 *   open requests past their deadline not yet told without reading the answered ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table accounts add column service boolean not null default false;
    alter table api_tokens add column modules jsonb;
    alter table requests add column overdue_event_at timestamptz;
    create index requests_overdue_event_idx on requests (due_on)
      where overdue_event_at is null and status not in ('answered', 'closed');
    `,
  );
}
