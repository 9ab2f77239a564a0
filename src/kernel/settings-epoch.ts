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

/** The last epoch this process read from each database handle, and when (for `recentSettingsEpoch`). */
const lastRead = new WeakMap<Kysely<DB>, { epoch: SettingsEpoch; at: number }>();

export async function settingsEpoch(db: Kysely<DB>): Promise<SettingsEpoch> {
  const at = Date.now();
  const row = await db.selectFrom("settings_epoch").select(["database", "epoch"]).executeTakeFirstOrThrow();
  const epoch = `${row.database}/${row.epoch}` as SettingsEpoch;
  // A read that started earlier and answered later may hold an older epoch: it does not replace a newer one.
  if (!db.isTransaction && at >= (lastRead.get(db)?.at ?? 0)) lastRead.set(db, { epoch, at });
  return epoch;
}

/**
 * The epoch this process last read from `db`, however long ago (undefined before the first read): for a write
 * whose own statement checks the epoch is still current and writes nothing otherwise (the survey answer,
 * migration 0037) — the settings it used are then exact without a round trip to read the epoch first.
 */
export function lastSettingsEpoch(db: Kysely<DB>): SettingsEpoch | undefined {
  return lastRead.get(db)?.epoch;
}

/** What a checked write gives back when its own statement found the epoch moved: it wrote nothing. */
export const STALE_SETTINGS: unique symbol = Symbol("réglages modifiés");

/**
 * A write whose own statement checks the settings epoch it was prepared at (the survey answer, migration 0037; a
 * request's registration, 0038): run at `first` — by default the epoch this process last saw, which spares a round
 * trip —, then, each time it answers `STALE_SETTINGS`, at the epoch read then; five tries in all, should the
 * settings keep changing. `what` names the write in the error of the last try (« l'enregistrement d'une réponse »).
 */
export async function writeAtSettingsEpoch<T>(
  db: Kysely<DB>,
  what: string,
  write: (epoch: SettingsEpoch, attempt: number) => Promise<T | typeof STALE_SETTINGS>,
  first?: SettingsEpoch,
): Promise<T> {
  let epoch = first ?? lastSettingsEpoch(db) ?? (await settingsEpoch(db));
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) epoch = await settingsEpoch(db);
    const written = await write(epoch, attempt);
    if (written !== STALE_SETTINGS) return written;
  }
  throw new Error(`Réglages modifiés sans cesse pendant ${what} : réessayez.`);
}

/**
 * An epoch read at most `maxAgeMs` ago, by this call or another: for what is only shown, never for what is
 * written or decided (a page may then show a setting changed less than a second ago as it was). The public
 * survey form names its site this way; the answer it sends checks the site again at a fresh epoch.
 */
export async function recentSettingsEpoch(db: Kysely<DB>, maxAgeMs = 1000): Promise<SettingsEpoch> {
  const last = lastRead.get(db);
  return last && Date.now() - last.at <= maxAgeMs ? last.epoch : settingsEpoch(db);
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
