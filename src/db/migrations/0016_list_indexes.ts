import { type Kysely, sql } from "kysely";
import { runScript } from "../script.ts";

/**
 * Indexes for the lists as they are queried (issue #13): the request list of any node in its three
 * orders, walked by keyset (`(key, id) > cursor`, never OFFSET); the search of a request by subject,
 * requester or number with trigrams (pg_trgm) over an accent-folded text, so « etat civil » finds
 * « État civil » without reading the subtree's whole history; survey responses by site.
 *
 * Each order has two indexes: by organisation first, for a site (its rows in order); and without the
 * organisation, for a large node (the whole network's rows are most rows: walking one order and keeping
 * those of the subtree stops after a page, where sorting the subtree's rows would read them all).
 */
/**
 * Lower case without accents. Upper-case accented letters are mapped before lower(): under the C
 * locale (the embedded engine's), lower() leaves them as they are.
 */
function fold(expression: string): string {
  return `replace(replace(lower(translate(${expression},
        'àáâãäåāÀÁÂÃÄÅĀçćčÇĆČèéêëēėęÈÉÊËĒĖĘìíîïīÌÍÎÏĪñÑòóôõöøōÒÓÔÕÖØŌùúûüūÙÚÛÜŪýÿŸÝ',
        'aaaaaaaaaaaaaacccccceeeeeeeeeeeeeeiiiiiiiiiinnoooooooooooooouuuuuuuuuuyyyy')), 'œ', 'oe'), 'æ', 'ae')`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // pg_trgm is one per database: put in `public`, never in the schema being migrated (a test schema
  // dropped with cascade would take the extension, and every other schema's indexes, with it). Two
  // processes migrating at once may both try: the loser finds it made, which is all it wanted.
  await runScript(
    db,
    `
    do $$
    begin
      if not exists (select 1 from pg_extension where extname = 'pg_trgm') then
        begin
          create extension pg_trgm with schema public;
        exception when unique_violation or duplicate_object then null;
        end;
      end if;
    end
    $$;
    `,
  );
  const found = await sql<{ schema: string }>`
    select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'
  `.execute(db);
  const trgm = found.rows[0]?.schema;
  if (!trgm || !/^[a-z_][a-z0-9_]*$/.test(trgm)) throw new Error("L'extension pg_trgm est introuvable après sa création.");
  await runScript(
    db,
    `
    -- Lower case without accents, immutable so an index may hold it.
    create function vigie_fold(value text) returns text language sql immutable strict parallel safe as $$
      select ${fold("value")}
    $$;

    -- The words a request is searched by, in one text: one index, one condition. The folding is
    -- written out, not a call to vigie_fold: PostgreSQL 17 builds an index with a search_path of
    -- pg_catalog only, where a function of this schema is not found.
    create function request_search_text(subject text, requester_name text, number text) returns text
      language sql immutable parallel safe as $$
      select ${fold("subject || ' ' || coalesce(requester_name, '') || ' ' || number")}
    $$;

    create index requests_search_trgm_idx on requests
      using gin (request_search_text(subject, requester_name, number) ${trgm}.gin_trgm_ops);

    -- Échéance: requests without a deadline last (the same expression as the list's order and cursor).
    create index requests_org_due_keyset_idx on requests (org_id, (coalesce(due_on, date '9999-12-31')), received_on, id);
    create index requests_due_keyset_idx on requests ((coalesce(due_on, date '9999-12-31')), received_on, id);
    -- Date de réception, newest first (an index reads backwards as well).
    create index requests_org_received_keyset_idx on requests (org_id, received_on, id);
    create index requests_received_keyset_idx on requests (received_on, id);
    -- Numéro: the unique (org_id, number) serves a site; this one the network and the public tracking form.
    create index requests_number_keyset_idx on requests (number, id);

    -- Organisations found by name in the tree and in the site filter of the lists.
    create index organisations_name_trgm_idx on organisations using gin (vigie_fold(name) ${trgm}.gin_trgm_ops);

    -- Comments and answers of a site (public results, a site's page), newest first.
    create index survey_responses_site_idx on survey_responses (site_id, answered_on);
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop index survey_responses_site_idx;
    drop index organisations_name_trgm_idx;
    drop index requests_number_keyset_idx;
    drop index requests_received_keyset_idx;
    drop index requests_org_received_keyset_idx;
    drop index requests_due_keyset_idx;
    drop index requests_org_due_keyset_idx;
    drop index requests_search_trgm_idx;
    drop function request_search_text(text, text, text);
    drop function vigie_fold(text);
    `,
  );
}
