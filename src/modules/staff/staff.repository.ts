import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { OrgScope } from "../indicators/indicator.ts";
import {
  inScopeSql,
  inSubtreeSql,
  nameContainsSql,
  organisationNameSql,
  scopeSubtreesQuery,
  selfAndChildrenIdsQuery,
  subtreeIds,
} from "../organisations/organisations.service.ts";

/** Kysely queries of staff, trainings and incident reports; every function takes the organisation id first. */
export async function listStaff(db: Kysely<DB>, orgId: string) {
  const sdb = db;
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
  return db.selectFrom("staff_members").selectAll().where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
}

export async function insertStaff(db: Kysely<DB>, orgId: string, v: { name: string; job: string | null }): Promise<string> {
  const row = await db
    .insertInto("staff_members")
    .values({ org_id: orgId, name: v.name, job: v.job })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function setActive(db: Kysely<DB>, orgId: string, id: string, active: boolean, version: number): Promise<boolean> {
  const r = await db
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
  const row = await db
    .insertInto("staff_trainings")
    .values({ org_id: orgId, staff_id: v.staffId, theme: v.theme, completed_on: v.completedOn })
    .onConflict((oc) => oc.columns(["org_id", "staff_id", "theme", "completed_on"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** The first day each theme was trained, for one member. */
export async function firstTrainings(db: Kysely<DB>, orgId: string, staffId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom("staff_trainings")
    .select(["theme", sql<string>`min(completed_on)::text`.as("first")])
    .where("org_id", "=", orgId)
    .where("staff_id", "=", staffId)
    .groupBy("theme")
    .execute();
  return new Map(rows.map((r) => [r.theme, r.first]));
}

/** Moves the staff counters of an organisation and all its ancestors, in one statement each. */
export async function applyStaffRollup(
  db: Kysely<DB>,
  path: string[],
  trained: Array<{ day: string; theme: string; delta: number }>,
  activeDelta: number,
): Promise<void> {
  if (activeDelta) {
    await sql`
      insert into staff_counts (org_id, active) select org_id, ${activeDelta}::int from unnest(${path}::uuid[]) as org_id order by org_id
      on conflict (org_id) do update set active = staff_counts.active + excluded.active`.execute(db);
  }
  const list = trained.filter((t) => t.delta !== 0);
  if (!list.length) return;
  await sql`
    insert into staff_rollup (org_id, day, theme, trained)
    select o.org_id, c.day, c.theme, c.delta
    from unnest(${path}::uuid[]) as o(org_id)
    cross join unnest(${list.map((l) => l.day)}::date[], ${list.map((l) => l.theme)}::text[], ${list.map((l) => l.delta)}::int[]) as c(day, theme, delta)
    -- In the key's order, as every rollup writer (test/rollup-lock-order.db.test.ts): ancestors' rows are shared.
    order by o.org_id, c.theme, c.day
    on conflict (org_id, theme, day) do update set trained = staff_rollup.trained + excluded.trained`.execute(db);
}

/**
 * Active staff and staff trained per theme by a date, for the organisation and each of its direct
 * children (their whole subtrees), read from the rollup: a few rows per organisation, whatever the size.
 */
export async function trainingFigures(db: Kysely<DB>, orgId: string, asOf: string) {
  const sdb = db;
  const nodes = selfAndChildrenIdsQuery(sdb, orgId);
  const staff = await sdb
    .selectFrom("staff_counts as c")
    .select(["c.org_id", organisationNameSql("c.org_id").as("name"), "c.active as n"])
    .where("c.org_id", "in", nodes)
    .where("c.active", ">", 0)
    .execute();
  const trained = await sdb
    .selectFrom("staff_rollup")
    .select(["org_id", "theme", sql<number>`sum(trained)::int`.as("n")])
    .where("org_id", "in", nodes)
    .where("day", "<=", asOf)
    .groupBy(["org_id", "theme"])
    .execute();
  return { staff, trained };
}

/**
 * Active staff, staff trained per theme by a date, and incident reports of a period, for every
 * organisation of a scope (each over its whole subtree): three grouped reads whatever the scope's size.
 * Staff figures come from the per-level rollups; incidents have none, so they are counted by joining
 * each scope organisation to the reports of its subtree on the tree's path.
 */
export async function scopeFigures(db: Kysely<DB>, scope: OrgScope, from: string, to: string) {
  const sdb = db;
  const staff = await sdb
    .selectFrom("staff_counts")
    .select(["org_id", "active as n"])
    .where(inScopeSql("org_id", scope))
    .where("active", ">", 0)
    .execute();
  const trained = await sdb
    .selectFrom("staff_rollup")
    .select(["org_id", "theme", sql<number>`sum(trained)::int`.as("n")])
    .where(inScopeSql("org_id", scope))
    .where("day", "<=", to)
    .groupBy(["org_id", "theme"])
    .execute();
  const incidents = await sdb
    .selectFrom(scopeSubtreesQuery(sdb, scope).as("s"))
    .innerJoin("incident_reports as i", "i.org_id", "s.id")
    .select(["s.root_id as org_id", "i.status", sql<number>`count(*)::int`.as("n")])
    .where("i.occurred_on", ">=", from)
    .where("i.occurred_on", "<=", to)
    .groupBy(["s.root_id", "i.status"])
    .execute();
  return { staff, trained, incidents };
}

export async function insertIncident(
  db: Kysely<DB>,
  orgId: string,
  v: { occurredOn: string; channel: string | null; description: string; reporterId: string | null; reporterLabel: string },
): Promise<string> {
  const row = await db
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
  return db
    .selectFrom("incident_reports")
    .selectAll()
    .where("org_id", "=", orgId)
    .orderBy(sql`case when status = 'new' then 0 else 1 end`)
    .orderBy("occurred_on", "desc")
    .limit(limit)
    .execute();
}

/** An incident list's cursor: rank (0 for « nouveau », else 1), the day it occurred, the report's id. */
export type IncidentKey = [number, string, string];

/**
 * Incident reports of a node's whole subtree with their site's name (issue #13): new ones first, then the most
 * recent, a page at a time by keyset. Two statements, whatever the subtree's size.
 */
export async function incidentsOfSubtree(
  db: Kysely<DB>,
  root: string,
  f: { siteName?: string | undefined; after?: IncidentKey | undefined; limit: number },
) {
  const sdb = db;
  const rank = sql<number>`(case when i.status = 'new' then 0 else 1 end)`;
  let q = sdb.selectFrom("incident_reports as i").where(inSubtreeSql("i.org_id", root));
  if (f.siteName) q = q.where(nameContainsSql("i.org_id", f.siteName));
  const counts = await q
    .select([sql<number>`count(*)::int`.as("n"), sql<number>`(count(*) filter (where i.status = 'new'))::int`.as("fresh")])
    .executeTakeFirstOrThrow();
  let page = q.selectAll("i").select([organisationNameSql("i.org_id").as("org_name"), rank.as("rank")]);
  if (f.after) {
    const [r, day, id] = f.after;
    // New first, then the latest day, then the id, each step strictly after the cursor's row.
    page = page.where(
      sql<boolean>`(${rank} > ${r} or (${rank} = ${r} and (i.occurred_on < ${day}::date or (i.occurred_on = ${day}::date and i.id < ${id}::uuid))))`,
    );
  }
  const rows = await page
    .orderBy(rank)
    .orderBy("i.occurred_on", "desc")
    .orderBy("i.id", "desc")
    .limit(f.limit + 1)
    .execute();
  return { rows: rows.slice(0, f.limit), total: counts.n, fresh: counts.fresh, more: rows.length > f.limit };
}

export async function findIncident(db: Kysely<DB>, orgId: string, id: string) {
  return db.selectFrom("incident_reports").selectAll().where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
}

export async function triageIncident(
  db: Kysely<DB>,
  orgId: string,
  id: string,
  version: number,
  v: { status: string; actionId: string | null; note: string | null },
): Promise<boolean> {
  const r = await db
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
  return db
    .selectFrom("incident_reports")
    .select(["status", sql<number>`count(*)::int`.as("n")])
    .where("org_id", "in", subtreeIds(db, root))
    .where("occurred_on", ">=", from)
    .where("occurred_on", "<=", to)
    .groupBy("status")
    .execute();
}

/** A staff list's cursor: the site's name, the agent's name and id of the row a page starts after. */
export type StaffKey = [string, string, string];

/**
 * Agents of a node's whole subtree with their site's name (issue #13), by site then name, a page at a
 * time by keyset; their trainings for those agents only. Three statements, whatever the subtree's size.
 */
export async function staffOfSubtree(
  db: Kysely<DB>,
  root: string,
  f: { siteName?: string | undefined; after?: StaffKey | undefined; limit: number },
) {
  const sdb = db;
  const orgName = organisationNameSql("m.org_id");
  let q = sdb.selectFrom("staff_members as m").where(inSubtreeSql("m.org_id", root));
  if (f.siteName) q = q.where(nameContainsSql("m.org_id", f.siteName));
  const total = (await q.select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow()).n;
  let page = q.select(["m.org_id", orgName.as("org_name"), "m.id", "m.name", "m.job", "m.active", "m.version"]);
  if (f.after) {
    const [site, name, id] = f.after;
    page = page.where(sql<boolean>`(${orgName}, m.name, m.id) > (${site}::text, ${name}::text, ${id}::uuid)`);
  }
  const rows = await page
    .orderBy(orgName)
    .orderBy("m.name")
    .orderBy("m.id")
    .limit(f.limit + 1)
    .execute();
  const members = rows.slice(0, f.limit);
  const trainings = members.length
    ? await sdb
        .selectFrom("staff_trainings")
        .select(["staff_id", "theme", "completed_on"])
        // Both columns, so the unique (org_id, staff_id, …) index answers.
        .where("org_id", "in", [...new Set(members.map((m) => m.org_id))])
        .where(
          "staff_id",
          "in",
          members.map((m) => m.id),
        )
        .orderBy("completed_on")
        .execute()
    : [];
  return { members, trainings, total, more: rows.length > f.limit };
}
