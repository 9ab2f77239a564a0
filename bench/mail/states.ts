/**
 * What reading the e-mail states costs on every page (issue #12): the administrator banner (`mailHealth`,
 * once per staff page) and a request's e-mails (`mailStatesForRequest`, once per request page), over an
 * outbox of 200,000 sent messages and 50 failed ones. PGlite by default; VIGIE_TEST_DATABASE_URL for PostgreSQL.
 *   npx tsx bench/mail/states.ts
 */
import { sql } from "kysely";
import { mailHealth, mailStatesForRequest } from "../../src/modules/mail/mail.service.ts";
import { engineName, openTestDatabase } from "../../test/support/database.ts";

const t = await openTestDatabase({ referenceData: false });
const org = "00000000-0000-4000-8000-000000000001";
await sql`insert into outbox (org_id, request_id, kind, recipient, subject, body, status, sent_at)
  select ${org}::uuid, gen_random_uuid(), 'acknowledgement', 'x@example.org', 's', 'b', 'sent', now() from generate_series(1, 200000)`.execute(
  t.db,
);
await sql`insert into outbox (org_id, request_id, kind, recipient, subject, body, status, error_code)
  select ${org}::uuid, gen_random_uuid(), 'acknowledgement', 'x@example.org', 's', 'b', 'failed', 'not_configured' from generate_series(1, 50)`.execute(
  t.db,
);
await sql`analyze outbox`.execute(t.db);
const requestId = (await t.db.selectFrom("outbox").select("request_id").limit(1).executeTakeFirstOrThrow()).request_id ?? "";
const runs: Array<[string, () => Promise<unknown>]> = [
  ["mailHealth (bandeau)", () => mailHealth(t.db)],
  ["mailStatesForRequest (page d'une demande)", () => mailStatesForRequest(t.db, org, requestId)],
];
for (const [name, run] of runs) {
  await run();
  const start = performance.now();
  for (let i = 0; i < 100; i++) await run();
  console.log(`${engineName} — ${name} : ${((performance.now() - start) / 100).toFixed(2)} ms par lecture`);
}
await t.close();
