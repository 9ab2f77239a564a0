import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * Change marks appended, never upserted (issue #13). Every rollup write marked its organisation and all
 * its ancestors by upserting one row per organisation (`on conflict … do update`): two registrations on
 * two sites of one network then waited on the network's row until the first committed, every write of
 * the network queued behind it, and the insert and update triggers of one upsert, marking in two
 * batches, let two transactions take the rows in opposite orders — a deadlock, seen with 16 clients
 * registering at once (bench/requests). A mark is now a row appended with the next number: appends
 * never conflict, so no write waits on another's marks. A publication reads an organisation's highest
 * mark and removes the marks up to it, leaving any appended meanwhile.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table publication_dirty drop constraint publication_dirty_pkey;
    create index publication_dirty_org_mark_idx on publication_dirty (org_id, mark);

    create or replace function publication_mark_changed() returns trigger
    language plpgsql as $$
    begin
      insert into publication_dirty (org_id)
      select distinct a.id
      from organisations o cross join lateral unnest(o.path) as a(id)
      where o.id in (select c.org_id from changed c);
      return null;
    end
    $$;
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    delete from publication_dirty d using publication_dirty e where d.org_id = e.org_id and d.mark < e.mark;
    drop index publication_dirty_org_mark_idx;
    alter table publication_dirty add primary key (org_id);

    create or replace function publication_mark_changed() returns trigger
    language plpgsql as $$
    begin
      insert into publication_dirty (org_id)
      select distinct a.id
      from organisations o cross join lateral unnest(o.path) as a(id)
      where o.id in (select c.org_id from changed c)
      order by a.id
      on conflict (org_id) do update set mark = nextval('publication_mark_seq');
      return null;
    end
    $$;
    `,
  );
}
