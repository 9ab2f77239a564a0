import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import { staffDb } from "./staff.tables.ts";

/** Kysely queries of staff, trainings and incident reports; every function takes the organisation id first. */
const inSubtree = (db: Kysely<DB>, root: string) =>
  db
    .selectFrom("organisations")
    .select("id")
    .where(sql<boolean>`path && ${sql.val([root])}::uuid[]`);

export async function listStaff(db: Kysely<DB>, orgId: string) {
  const sdb = staffDb(db);
  const members = await sdb
    .selectFrom("staff_members")
    .select(["id", "name", "job", "active", "version"])
    .where("org_id", "=", orgId)
    .orderBy("active", "desc")
    .orderBy("name")
    .execute();
  const trainings = await sdb
    .selectFrom("staff_trainings")
    .select(["staff_id", "theme", "completed_on"])
    .where("org_id", "=", orgId)
    .orderBy("completed_on")
    .execute();
  return { members, trainings };
}

export async function findStaff(db: Kysely<DB>, orgId: string, id: string) {
  return staffDb(db).selectFrom("staff_members").selectAll().where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
}

export async function insertStaff(db: Kysely<DB>, orgId: string, v: { name: string; job: string | null }): Promise<string> {
  const row = await staffDb(db)
    .insertInto("staff_members")
    .values({ org_id: orgId, name: v.name, job: v.job })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function setActive(db: Kysely<DB>, orgId: string, id: string, active: boolean, version: number): Promise<boolean> {
  const r = await staffDb(db)
    .updateTable("staff_members")
    .set((eb) => ({ active, version: eb("version", "+", 1) }))
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("version", "=", version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertTraining(
  db: Kysely<DB>,
  orgId: string,
  v: { staffId: string; theme: string; completedOn: string },
): Promise<boolean> {
  const row = await staffDb(db)
    .insertInto("staff_trainings")
    .values({ org_id: orgId, staff_id: v.staffId, theme: v.theme, completed_on: v.completedOn })
    .onConflict((oc) => oc.columns(["org_id", "staff_id", "theme", "completed_on"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Per site of the subtree: active staff, and per theme how many of them were trained by a date.
 * One grouped query over two small tables (a few rows per agent), indexed by organisation.
 */
export async function trainingFigures(db: Kysely<DB>, root: string, asOf: string) {
  const sdb = staffDb(db);
  const staff = await sdb
    .selectFrom("staff_members as m")
    .innerJoin("organisations as o", "o.id", "m.org_id")
    .select(["m.org_id", "o.name", sql<number>`count(*)::int`.as("n")])
    .where("m.org_id", "in", inSubtree(db, root))
    .where("m.active", "=", true)
    .groupBy(["m.org_id", "o.name"])
    .execute();
  const trained = await sdb
    .selectFrom("staff_trainings as t")
    .innerJoin("staff_members as m", (j) => j.onRef("m.org_id", "=", "t.org_id").onRef("m.id", "=", "t.staff_id"))
    .select(["t.org_id", "t.theme", sql<number>`count(distinct t.staff_id)::int`.as("n")])
    .where("t.org_id", "in", inSubtree(db, root))
    .where("m.active", "=", true)
    .where("t.completed_on", "<=", asOf)
    .groupBy(["t.org_id", "t.theme"])
    .execute();
  return { staff, trained };
}

export async function insertIncident(
  db: Kysely<DB>,
  orgId: string,
  v: { occurredOn: string; channel: string | null; description: string; reporterId: string | null; reporterLabel: string },
): Promise<string> {
  const row = await staffDb(db)
    .insertInto("incident_reports")
    .values({
      org_id: orgId,
      occurred_on: v.occurredOn,
      channel: v.channel,
      description: v.description,
      reporter_id: v.reporterId,
      reporter_label: v.reporterLabel,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listIncidents(db: Kysely<DB>, orgId: string, limit = 200) {
  return staffDb(db)
    .selectFrom("incident_reports")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy(sql`case when status = 'new' then 0 else 1 end`)
    .orderBy("occurred_on", "desc")
    .limit(limit)
    .execute();
}

export async function findIncident(db: Kysely<DB>, orgId: string, id: string) {
  return staffDb(db).selectFrom("incident_reports").selectAll().where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
}

export async function triageIncident(
  db: Kysely<DB>,
  orgId: string,
  id: string,
  version: number,
  v: { status: string; actionId: string | null; note: string | null },
): Promise<boolean> {
  const r = await staffDb(db)
    .updateTable("incident_reports")
    .set((eb) => ({ status: v.status, action_id: v.actionId, triage_note: v.note, version: eb("version", "+", 1) }))
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("version", "=", version)
    .where("status", "=", "new")
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Incident reports of the subtree in a period, by status. */
export async function incidentCounts(db: Kysely<DB>, root: string, from: string, to: string) {
  return staffDb(db)
    .selectFrom("incident_reports")
    .select(["status", sql<number>`count(*)::int`.as("n")])
    .where("org_id", "in", inSubtree(db, root))
    .where("occurred_on", ">=", from)
    .where("occurred_on", "<=", to)
    .groupBy("status")
    .execute();
}
