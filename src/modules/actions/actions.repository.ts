import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { OrgScope } from "../indicators/indicator.ts";
import { inScopeSql, nameContainsSql, organisationNameSql, subtreeIds } from "../organisations/organisations.service.ts";

/** Kysely queries of the action plan; every function takes the organisation id first. */
export interface ActionRow {
  orgId: string;
  orgName: string;
  id: string;
  number: number;
  title: string;
  leverId: string | null;
  commitmentId: string | null;
  channel: string | null;
  owner: string | null;
  service: string | null;
  dueOn: string | null;
  planYear: number;
  status: string;
  origin: string;
  version: number;
  updatedAt: Date;
}

export interface ActionValues {
  title: string;
  leverId: string | null;
  commitmentId: string | null;
  channel: string | null;
  owner: string | null;
  service: string | null;
  dueOn: string | null;
  planYear: number;
  status: string;
  origin: string;
}

export interface ActionFilter {
  status?: string | undefined;
  commitmentId?: string | undefined;
  channel?: string | undefined;
  owner?: string | undefined;
  planYear?: number | undefined;
  overdueOn?: string | undefined;
  q?: string | undefined;
  /** Part of the name of the action's organisation (accents and case ignored): the list's site filter. */
  siteName?: string | undefined;
  /** Keyset: the rows after this sort key (due day or 9999-12-31, organisation id, number). */
  after?: ActionKey | undefined;
  limit?: number | undefined;
}

export type ActionKey = [string, string, number];
const NO_DUE_DATE = "9999-12-31";
export const actionKeyOf = (a: ActionRow): ActionKey => [a.dueOn ?? NO_DUE_DATE, a.orgId, a.number];

function actionsQuery(db: Kysely<DB>) {
  return db
    .selectFrom("actions as a")
    .select([
      "a.org_id",
      organisationNameSql("a.org_id").as("org_name"),
      "a.id",
      "a.number",
      "a.title",
      "a.lever_id",
      "a.commitment_id",
      "a.channel",
      "a.owner",
      "a.service",
      "a.due_on",
      "a.plan_year",
      "a.status",
      "a.origin",
      "a.version",
      "a.updated_at",
    ]);
}
type Row = Awaited<ReturnType<ReturnType<typeof actionsQuery>["executeTakeFirstOrThrow"]>>;
const toAction = (r: Row): ActionRow => ({
  orgId: r.org_id,
  orgName: r.org_name,
  id: r.id,
  number: r.number,
  title: r.title,
  leverId: r.lever_id,
  commitmentId: r.commitment_id,
  channel: r.channel,
  owner: r.owner,
  service: r.service,
  dueOn: r.due_on,
  planYear: r.plan_year,
  status: r.status,
  origin: r.origin,
  version: r.version,
  updatedAt: r.updated_at,
});

/** Actions of an organisation's whole subtree, filtered. */
function filteredActions(db: Kysely<DB>, rootId: string, f: ActionFilter) {
  let q = actionsQuery(db).where("a.org_id", "in", subtreeIds(db, rootId));
  if (f.status) q = q.where("a.status", "=", f.status);
  if (f.commitmentId) q = q.where("a.commitment_id", "=", f.commitmentId);
  if (f.channel) q = q.where("a.channel", "=", f.channel);
  if (f.owner) q = q.where(sql<boolean>`lower(a.owner) like ${`%${f.owner.toLowerCase()}%`}`);
  if (f.planYear) q = q.where("a.plan_year", "=", f.planYear);
  if (f.q) q = q.where(sql<boolean>`lower(a.title) like ${`%${f.q.toLowerCase()}%`}`);
  if (f.overdueOn) q = q.where("a.status", "in", ["todo", "doing"]).where("a.due_on", "<", f.overdueOn);
  if (f.siteName) q = q.where(nameContainsSql("a.org_id", f.siteName));
  return q;
}

/** Actions of an organisation's whole subtree, filtered, by due day then site and number, after a key. */
export async function listActions(db: Kysely<DB>, rootId: string, f: ActionFilter): Promise<ActionRow[]> {
  let q = filteredActions(db, rootId, f);
  const due = sql`coalesce(a.due_on, ${sql.lit(NO_DUE_DATE)}::date)`;
  if (f.after) {
    const [day, orgId, number] = f.after;
    q = q.where(sql<boolean>`(${due}, a.org_id, a.number) > (${day}::date, ${orgId}::uuid, ${number}::int)`);
  }
  // The organisation before the number: the same number is each site's own, the key stays unique.
  const rows = await q
    .orderBy(due)
    .orderBy("a.org_id")
    .orderBy("a.number")
    .limit(f.limit ?? 1000)
    .execute();
  return rows.map(toAction);
}

/** How many actions of the subtree the filters keep (without the page). */
export async function countActions(db: Kysely<DB>, rootId: string, f: ActionFilter): Promise<number> {
  const rows = await filteredActions(db, rootId, f).clearSelect().select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
  return rows.n;
}

export async function findAction(db: Kysely<DB>, orgId: string, id: string): Promise<ActionRow | undefined> {
  const row = await actionsQuery(db).where("a.org_id", "=", orgId).where("a.id", "=", id).executeTakeFirst();
  return row ? toAction(row) : undefined;
}

/** Actions of a subtree by their ids (a bulk change): only those the root reaches come back. */
export async function findActionsByIds(db: Kysely<DB>, rootId: string, ids: string[]): Promise<ActionRow[]> {
  if (!ids.length) return [];
  return (await actionsQuery(db).where("a.org_id", "in", subtreeIds(db, rootId)).where("a.id", "in", ids).execute()).map(toAction);
}

export async function findActionsByNumber(db: Kysely<DB>, orgId: string, numbers: number[]): Promise<ActionRow[]> {
  if (!numbers.length) return [];
  return (await actionsQuery(db).where("a.org_id", "=", orgId).where("a.number", "in", numbers).execute()).map(toAction);
}

export async function insertAction(db: Kysely<DB>, orgId: string, v: ActionValues): Promise<{ id: string; number: number }> {
  // The number is the organisation's next one; the unique key (org_id, number) turns a race into an error, not a duplicate.
  return db
    .insertInto("actions")
    .values((eb) => ({
      org_id: orgId,
      number: eb.selectFrom("actions").select(sql<number>`coalesce(max(number), 0) + 1`.as("n")).where("org_id", "=", orgId),
      title: v.title,
      lever_id: v.leverId,
      commitment_id: v.commitmentId,
      channel: v.channel,
      owner: v.owner,
      service: v.service,
      due_on: v.dueOn,
      plan_year: v.planYear,
      status: v.status,
      origin: v.origin,
    }))
    .returning(["id", "number"])
    .executeTakeFirstOrThrow();
}

export async function updateAction(db: Kysely<DB>, orgId: string, id: string, version: number, v: Partial<ActionValues>): Promise<boolean> {
  const result = await db
    .updateTable("actions")
    .set((eb) => ({
      ...(v.title !== undefined ? { title: v.title } : {}),
      ...(v.commitmentId !== undefined ? { commitment_id: v.commitmentId } : {}),
      ...(v.channel !== undefined ? { channel: v.channel } : {}),
      ...(v.owner !== undefined ? { owner: v.owner } : {}),
      ...(v.service !== undefined ? { service: v.service } : {}),
      ...(v.dueOn !== undefined ? { due_on: v.dueOn } : {}),
      ...(v.planYear !== undefined ? { plan_year: v.planYear } : {}),
      ...(v.status !== undefined ? { status: v.status } : {}),
      updated_at: new Date(),
      version: eb("version", "+", 1),
    }))
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("version", "=", version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertEvent(
  db: Kysely<DB>,
  orgId: string,
  e: { actionId: string; actorLabel: string; kind: string; fromStatus?: string | null; toStatus?: string | null; note?: string | null },
): Promise<void> {
  await db
    .insertInto("action_events")
    .values({
      org_id: orgId,
      action_id: e.actionId,
      actor_label: e.actorLabel,
      kind: e.kind,
      from_status: e.fromStatus ?? null,
      to_status: e.toStatus ?? null,
      note: e.note ?? null,
    })
    .execute();
}

export async function eventsOf(db: Kysely<DB>, orgId: string, actionId: string) {
  return db
    .selectFrom("action_events")
    .select(["at", "actor_label", "kind", "from_status", "to_status", "note"])
    .where("org_id", "=", orgId)
    .where("action_id", "=", actionId)
    .orderBy("at", "desc")
    .execute();
}

/**
 * Moves counters of the organisation and each ancestor: one statement for the whole path and every change.
 * Rows are taken in one order (year, commitment, status, then organisation), whatever the change: two people
 * moving actions the opposite way (« à faire » → « fait » and back) each took the network's row of their first
 * status first, and deadlocked — 24 to 34 moves in 120 refused (test/rollup-lock-order.db.test.ts).
 */
export async function applyRollup(
  db: Kysely<DB>,
  path: string[],
  changes: Array<{ planYear: number; commitmentId: string | null; status: string; delta: number }>,
): Promise<void> {
  const merged = new Map<string, { planYear: number; commitmentId: string; status: string; delta: number }>();
  for (const c of changes) {
    const key = `${c.planYear}|${c.commitmentId ?? ""}|${c.status}`;
    const m = merged.get(key) ?? { planYear: c.planYear, commitmentId: c.commitmentId ?? "", status: c.status, delta: 0 };
    m.delta += c.delta;
    merged.set(key, m);
  }
  const list = [...merged.values()].filter((m) => m.delta !== 0);
  if (!list.length) return;
  await sql`
    insert into action_rollup (org_id, plan_year, commitment_id, status, actions)
    select o.org_id, c.plan_year, c.commitment_id, c.status, c.delta
    from unnest(${path}::uuid[]) as o(org_id)
    cross join unnest(${list.map((l) => l.planYear)}::int[], ${list.map((l) => l.commitmentId)}::text[],
                      ${list.map((l) => l.status)}::text[], ${list.map((l) => l.delta)}::int[]) as c(plan_year, commitment_id, status, delta)
    order by c.plan_year, c.commitment_id, c.status, o.org_id
    on conflict (org_id, plan_year, commitment_id, status) do update set actions = action_rollup.actions + excluded.actions`.execute(db);
}

/** The subtree's counts per year, commitment ('' for none) and status, from the rollup. */
/** The plan counts of every organisation of a scope for a plan year (each row holds its whole subtree), in one read. */
export async function rollupInScope(db: Kysely<DB>, scope: OrgScope, planYear: number) {
  return db
    .selectFrom("action_rollup")
    .select(["org_id", "plan_year", "commitment_id", "status", "actions"])
    .where(inScopeSql("org_id", scope))
    .where("actions", ">", 0)
    .where("plan_year", "=", planYear)
    .execute();
}

export async function rollupOf(db: Kysely<DB>, orgId: string, planYear?: number) {
  let q = db
    .selectFrom("action_rollup")
    .select(["plan_year", "commitment_id", "status", "actions"])
    .where("org_id", "=", orgId)
    .where("actions", ">", 0);
  if (planYear !== undefined) q = q.where("plan_year", "=", planYear);
  return q.execute();
}

/** Overdue actions of the given organisations (the reminder digest), oldest due date first. */
export async function overdueIn(db: Kysely<DB>, orgIds: string[], today: string, limit = 200): Promise<ActionRow[]> {
  if (!orgIds.length) return [];
  const rows = await actionsQuery(db)
    .where("a.org_id", "in", orgIds)
    .where("a.status", "in", ["todo", "doing"])
    .where("a.due_on", "<", today)
    .orderBy("a.due_on")
    .limit(limit)
    .execute();
  return rows.map(toAction);
}
