import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * The settings epoch (issue #13, registration at 19 % of a bare transaction): a number that moves at the
 * commit of every change to the settings the hottest writes read — the tree, frameworks and commitments,
 * announced delays, closures, opening hours and access information, webhook endpoints. A server keeps what it read of
 * them in memory and trusts it only while the epoch is the one it read them at (src/kernel/settings-epoch.ts):
 * one primary-key read instead of nine, and still exact with several servers on one database.
 *
 * The triggers are deferred constraint triggers: the epoch row is locked at the commit only, never while a
 * transaction still works (no deadlock with the rows it takes afterwards), and only once per transaction
 * (`xact` records which one moved it last). A change not yet committed is invisible to readers, and so is its
 * epoch: a reader that reads the epoch, then the settings, may cache settings newer than its epoch — never older.
 */
export const SETTINGS_TABLES = [
  "organisations",
  "org_frameworks",
  "local_commitments",
  "frameworks",
  "commitments",
  "announced_delays",
  "org_closures",
  "org_public_info",
  "org_opening_hours",
  "webhook_endpoints",
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table settings_epoch (
      one boolean primary key default true check (one),
      epoch bigint not null default 0,
      -- Which database: one process may open several (tests, tools), whose epochs must never be confused.
      database uuid not null default gen_random_uuid(),
      xact bigint
    );
    insert into settings_epoch (one, epoch) values (true, 0);

    create function settings_epoch_move() returns trigger language plpgsql as $$
    begin
      update settings_epoch set epoch = epoch + 1, xact = txid_current() where xact is distinct from txid_current();
      return null;
    end $$;
    ${SETTINGS_TABLES.map(
      (table) => `
    create constraint trigger ${table}_settings_epoch after insert or update or delete on ${table}
      deferrable initially deferred for each row execute function settings_epoch_move();`,
    ).join("\n")}
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `${SETTINGS_TABLES.map((table) => `drop trigger ${table}_settings_epoch on ${table};`).join("\n")}
    drop function settings_epoch_move();
    drop table settings_epoch;`,
  );
}
