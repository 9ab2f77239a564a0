import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import { readSetting, writeSetting } from "../../kernel/settings.ts";
import { leverCommitmentIds, type ReferenceData } from "./reference-data.ts";
import { searchText } from "./search-text.ts";

const HASH_KEY = "reference_data_hash";
// Any fixed number: app servers starting together take turns on it instead of writing twice.
const SYNC_LOCK = 7_246_001;

/**
 * Writes the reference data into the database when the files changed since the last start.
 * Idempotent and safe when several servers start at once. Ids are stable across editions of
 * the files, so tenant data pointing at a commitment keeps pointing at the same one.
 */
export async function syncReferenceData(db: Kysely<DB>, data: ReferenceData): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SYNC_LOCK})`.execute(trx);
    if ((await readSetting(trx, HASH_KEY)) === data.hash) return false;

    for (const [position, f] of data.frameworks.entries()) {
      await trx
        .insertInto("frameworks")
        .values({ id: f.id, name: f.name, edition: f.edition, summary: f.summary, position })
        .onConflict((oc) => oc.column("id").doUpdateSet({ name: f.name, edition: f.edition, summary: f.summary, position }))
        .execute();
      await trx.deleteFrom("framework_themes").where("framework_id", "=", f.id).execute();
      await trx
        .insertInto("framework_themes")
        .values(f.themes.map((t, i) => ({ framework_id: f.id, id: t.id, title: t.title, position: i })))
        .execute();
      for (const c of f.commitments) {
        const values = {
          framework_id: f.id,
          number: c.number,
          title: c.title,
          details: c.details,
          theme_id: c.theme,
          channels: c.channels,
          targets: JSON.stringify(c.targets),
          search: searchText([c.title, c.details ?? "", ...c.requirements.map((r) => r.text)].join(" ")),
        };
        await trx
          .insertInto("commitments")
          .values({ id: c.id, ...values })
          .onConflict((oc) => oc.column("id").doUpdateSet(values))
          .execute();
        await trx.deleteFrom("requirements").where("commitment_id", "=", c.id).execute();
        await trx
          .insertInto("requirements")
          .values(c.requirements.map((r, i) => ({ id: r.id, commitment_id: c.id, position: i, text: r.text })))
          .execute();
      }
    }

    await trx.deleteFrom("commitment_links").execute();
    if (data.links.length) {
      await trx
        .insertInto("commitment_links")
        .values(data.links.map((l) => ({ from_id: l.from, to_id: l.to, relation: l.relation })))
        .execute();
    }

    await trx.deleteFrom("lever_commitments").execute();
    await trx
      .deleteFrom("levers")
      .where("id", "not in", data.levers.length ? data.levers.map((l) => l.id) : [""])
      .execute();
    for (const [position, l] of data.levers.entries()) {
      const values = {
        commitment_id: l.commitment,
        channel: l.channel,
        category: l.category,
        text: l.text,
        search: searchText(`${l.text} ${l.category}`),
        position,
      };
      await trx
        .insertInto("levers")
        .values({ id: l.id, ...values })
        .onConflict((oc) => oc.column("id").doUpdateSet(values))
        .execute();
    }
    const leverLinks = data.levers.flatMap((l) =>
      leverCommitmentIds(l, data.links).map((commitment_id) => ({
        lever_id: l.id,
        commitment_id,
      })),
    );
    for (let i = 0; i < leverLinks.length; i += 500) {
      await trx
        .insertInto("lever_commitments")
        .values(leverLinks.slice(i, i + 500))
        .execute();
    }

    await writeSetting(trx, HASH_KEY, data.hash);
    return true;
  });
}
