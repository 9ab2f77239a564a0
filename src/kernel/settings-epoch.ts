import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";

/**
 * Settings a server keeps in memory, exact with several servers on one database (issue #13: a registration
 * read its delays, calendars and commitments in nine statements, the hottest write at 19 % of a bare
 * transaction). Every change to the tables of SETTINGS_TABLES (migration 0035) moves the settings epoch at
 * its commit; what is cached here is trusted only while the epoch is the one read before it was loaded. The
 * caller reads the epoch once (one primary-key read) and hands it to each cache it uses.
 *
 * Order matters: the epoch is read before the settings, so a change committed in between makes the entry
 * newer than its epoch, never older — the next read sees a new epoch and loads again.
 */
export type SettingsEpoch = string & { readonly __settingsEpoch: unique symbol };

export async function settingsEpoch(db: Kysely<DB>): Promise<SettingsEpoch> {
  const row = await db.selectFrom("settings_epoch").select(["database", "epoch"]).executeTakeFirstOrThrow();
  return `${row.database}/${row.epoch}` as SettingsEpoch;
}

export interface SettingsCache<V> {
  /**
   * The value for `key` at `epoch`: from memory when loaded at that epoch, else loaded (once, however many ask
   * at once). Inside a transaction it is loaded and not kept: the transaction may have changed a setting it
   * could still roll back, and its epoch has not moved yet.
   */
  get(db: Kysely<DB>, epoch: SettingsEpoch, key: string, load: () => Promise<V>): Promise<V>;
}

/**
 * A cache of settings keyed by organisation (or anything else), at most `max` entries: past it, the
 * oldest go first. Entries of an older epoch are dropped when met; a new epoch drops them all at once.
 */
export function settingsCache<V>(max = 20_000): SettingsCache<V> {
  let at: SettingsEpoch | undefined;
  const entries = new Map<string, Promise<V>>();
  return {
    get(db, epoch, key, load) {
      if (db.isTransaction) return load();
      if (epoch !== at) {
        entries.clear();
        at = epoch;
      }
      let entry = entries.get(key);
      if (!entry) {
        entry = load();
        // A failed load is not kept: the next caller tries again.
        entry.catch(() => {
          if (entries.get(key) === entry) entries.delete(key);
        });
        if (entries.size >= max) entries.delete(entries.keys().next().value as string);
        entries.set(key, entry);
      }
      return entry;
    },
  };
}
