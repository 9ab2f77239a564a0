import { type Expression, type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";

/** Kysely queries of opening hours and access information; every function takes the organisation id first. */
export interface PublicInfoRow {
  accessibility: string | null;
  stepFree: boolean | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  closesDeadlines: boolean;
  annuaireId: string | null;
  version: number;
  updatedAt: Date | null;
}

export interface HoursRow {
  validFrom: string;
  hours: string;
  note: string | null;
  recordedAt: Date;
}

export const EMPTY_INFO: PublicInfoRow = {
  accessibility: null,
  stepFree: null,
  phone: null,
  email: null,
  website: null,
  closesDeadlines: false,
  annuaireId: null,
  version: 0,
  updatedAt: null,
};

export async function findInfo(db: Kysely<DB>, orgId: string): Promise<PublicInfoRow> {
  const row = await db.selectFrom("org_public_info").selectAll().where("org_id", "=", orgId).executeTakeFirst();
  if (!row) return EMPTY_INFO;
  return {
    accessibility: row.accessibility,
    stepFree: row.step_free,
    phone: row.phone,
    email: row.email,
    website: row.website,
    closesDeadlines: row.closes_deadlines,
    annuaireId: row.annuaire_id,
    version: row.version,
    updatedAt: row.updated_at,
  };
}

export async function closesDeadlines(db: Kysely<DB>, orgId: string): Promise<boolean> {
  const row = await db.selectFrom("org_public_info").select("closes_deadlines").where("org_id", "=", orgId).executeTakeFirst();
  return row?.closes_deadlines ?? false;
}

/** Writes the row if its version is still `expected` (0: no row yet); false when someone else wrote first. */
export async function writeInfo(
  db: Kysely<DB>,
  orgId: string,
  expected: number,
  info: Omit<PublicInfoRow, "version" | "updatedAt">,
): Promise<boolean> {
  const values = {
    accessibility: info.accessibility,
    step_free: info.stepFree,
    phone: info.phone,
    email: info.email,
    website: info.website,
    closes_deadlines: info.closesDeadlines,
    annuaire_id: info.annuaireId,
  };
  const odb = db;
  if (expected === 0) {
    const inserted = await odb
      .insertInto("org_public_info")
      .values({ org_id: orgId, ...values })
      .onConflict((oc) => oc.column("org_id").doNothing())
      .returning("org_id")
      .executeTakeFirst();
    return inserted !== undefined;
  }
  const updated = await odb
    .updateTable("org_public_info")
    .set((eb) => ({ ...values, version: eb("version", "+", 1), updated_at: new Date() }))
    .where("org_id", "=", orgId)
    .where("version", "=", expected)
    .returning("org_id")
    .executeTakeFirst();
  return updated !== undefined;
}

/** Every version of the hours, oldest first. */
export async function hoursHistory(db: Kysely<DB>, orgId: string): Promise<HoursRow[]> {
  const rows = await db.selectFrom("org_opening_hours").selectAll().where("org_id", "=", orgId).orderBy("valid_from").execute();
  return rows.map((r) => ({ validFrom: r.valid_from, hours: r.hours, note: r.note, recordedAt: r.recorded_at }));
}

/** The hours history of a set of organisations (a subquery of their ids), in one read. */
export async function hoursHistoryOf(db: Kysely<DB>, orgIds: Expression<unknown>): Promise<Array<HoursRow & { orgId: string }>> {
  const rows = await db
    .selectFrom("org_opening_hours")
    .selectAll()
    .where("org_id", "in", sql<string>`(${orgIds})`)
    .orderBy("valid_from")
    .execute();
  return rows.map((r) => ({ orgId: r.org_id, validFrom: r.valid_from, hours: r.hours, note: r.note, recordedAt: r.recorded_at }));
}

export async function putHours(db: Kysely<DB>, orgId: string, validFrom: string, hours: string, note: string | null): Promise<void> {
  await db
    .insertInto("org_opening_hours")
    .values({ org_id: orgId, valid_from: validFrom, hours, note })
    .onConflict((oc) => oc.columns(["org_id", "valid_from"]).doUpdateSet({ hours, note, recorded_at: new Date() }))
    .execute();
}
