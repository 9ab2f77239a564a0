import { type Kysely, sql } from "kysely";
import type { DB, OrganisationRow } from "../../db/schema.ts";
import type { HolidayZone, Organisation, OrgKind } from "./organisation.ts";

export function toOrganisation(row: OrganisationRow): Organisation {
  return {
    id: row.id,
    parentId: row.parent_id,
    path: row.path,
    kind: row.kind as OrgKind,
    name: row.name,
    address: { street: row.address_street, postcode: row.address_postcode, city: row.address_city },
    siret: row.siret,
    timeZone: row.time_zone,
    holidayZone: row.holiday_zone as HolidayZone,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface OrganisationValues {
  kind: OrgKind;
  name: string;
  addressStreet?: string | undefined;
  addressPostcode?: string | undefined;
  addressCity?: string | undefined;
  siret?: string | undefined;
  timeZone: string;
  holidayZone: HolidayZone;
}

function columns(v: OrganisationValues) {
  return {
    kind: v.kind,
    name: v.name,
    address_street: v.addressStreet ?? null,
    address_postcode: v.addressPostcode ?? null,
    address_city: v.addressCity ?? null,
    siret: v.siret ?? null,
    time_zone: v.timeZone,
    holiday_zone: v.holidayZone,
  };
}

export async function findById(db: Kysely<DB>, orgId: string): Promise<Organisation | undefined> {
  const row = await db.selectFrom("organisations").selectAll().where("id", "=", orgId).executeTakeFirst();
  return row ? toOrganisation(row) : undefined;
}

export async function findPath(db: Kysely<DB>, orgId: string): Promise<string[] | undefined> {
  const row = await db.selectFrom("organisations").select("path").where("id", "=", orgId).executeTakeFirst();
  return row?.path;
}

/** What the access check keeps of an organisation for the route: its ancestry and its time zone, in one read. */
export async function findPathAndZone(db: Kysely<DB>, orgId: string): Promise<{ path: string[]; timeZone: string } | undefined> {
  const row = await db.selectFrom("organisations").select(["path", "time_zone"]).where("id", "=", orgId).executeTakeFirst();
  return row ? { path: row.path, timeZone: row.time_zone } : undefined;
}

/** The ids of an organisation's subtree, as a subquery other modules can filter on without loading them. */
export function subtreeIdsQuery(db: Kysely<DB>, root: string) {
  return subtreesIdsQuery(db, [root]);
}

/** The ids of the subtrees of several roots (what an actor reaches), as one subquery. */
export function subtreesIdsQuery(db: Kysely<DB>, roots: string[]) {
  return db
    .selectFrom("organisations")
    .select("id")
    .where(sql<boolean>`path && ${sql.val(roots)}::uuid[]`);
}

/** The ids of a scope's organisations (children of a node, or every site below it) as a subquery. */
export function scopeIdsQuery(db: Kysely<DB>, scope: Scope) {
  return db.selectFrom("organisations").select("id").where(scopeCondition(scope));
}

/** Organisations in the subtrees of `roots` (all of them when roots is null). */
export async function listInSubtrees(db: Kysely<DB>, roots: string[] | null): Promise<Organisation[]> {
  let q = db.selectFrom("organisations").selectAll();
  if (roots !== null) q = q.where(sql<boolean>`path && ${sql.val(roots)}::uuid[]`);
  const rows = await q.orderBy("name").execute();
  return rows.map(toOrganisation);
}

export async function insert(
  db: Kysely<DB>,
  orgId: string,
  parentPath: string[] | null,
  values: OrganisationValues,
): Promise<Organisation> {
  const row = await db
    .insertInto("organisations")
    .values({
      id: orgId,
      parent_id: parentPath ? (parentPath[parentPath.length - 1] ?? null) : null,
      path: [...(parentPath ?? []), orgId],
      ...columns(values),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toOrganisation(row);
}

/** Updates when the stored version still is `version`; undefined means someone else wrote first. */
export async function update(
  db: Kysely<DB>,
  orgId: string,
  version: number,
  values: OrganisationValues,
): Promise<Organisation | undefined> {
  const row = await db
    .updateTable("organisations")
    .set({ ...columns(values), version: version + 1, updated_at: new Date() })
    .where("id", "=", orgId)
    .where("version", "=", version)
    .returningAll()
    .executeTakeFirst();
  return row ? toOrganisation(row) : undefined;
}

export async function countChildren(db: Kysely<DB>, orgId: string): Promise<number> {
  const row = await db
    .selectFrom("organisations")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("parent_id", "=", orgId)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function remove(db: Kysely<DB>, orgId: string, version: number): Promise<boolean> {
  const result = await db.deleteFrom("organisations").where("id", "=", orgId).where("version", "=", version).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function countAll(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom("organisations").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
  return row.n;
}

export async function findLogo(db: Kysely<DB>, orgId: string): Promise<{ contentType: string; data: Buffer; updatedAt: Date } | undefined> {
  const row = await db
    .selectFrom("organisation_logos")
    .select(["content_type", "data", "updated_at"])
    .where("org_id", "=", orgId)
    .executeTakeFirst();
  return row ? { contentType: row.content_type, data: row.data, updatedAt: row.updated_at } : undefined;
}

export async function hasLogo(db: Kysely<DB>, orgId: string): Promise<boolean> {
  const row = await db.selectFrom("organisation_logos").select("org_id").where("org_id", "=", orgId).executeTakeFirst();
  return row !== undefined;
}

export async function upsertLogo(db: Kysely<DB>, orgId: string, contentType: string, data: Buffer): Promise<void> {
  await db
    .insertInto("organisation_logos")
    .values({ org_id: orgId, content_type: contentType, data })
    .onConflict((oc) => oc.column("org_id").doUpdateSet({ content_type: contentType, data, updated_at: new Date() }))
    .execute();
}

export async function deleteLogo(db: Kysely<DB>, orgId: string): Promise<boolean> {
  const result = await db.deleteFrom("organisation_logos").where("org_id", "=", orgId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function findByIds(db: Kysely<DB>, ids: string[]): Promise<Organisation[]> {
  const rows = await db.selectFrom("organisations").selectAll().where("id", "in", ids).execute();
  return rows.map(toOrganisation);
}

/** The children of a node, or every site of its subtree (the indicators' `OrgScope`). */
type Scope = { of: string; depth: "children" | "sites" };

/**
 * The one definition of a scope, as a condition on an `organisations` row: every reader below builds on
 * it, so the scope stays a subquery (`parent_id = …` or `path && …`), never an id list sent as parameters.
 */
function scopeCondition(scope: Scope) {
  return scope.depth === "children"
    ? sql<boolean>`parent_id = ${scope.of}`
    : sql<boolean>`kind = 'site' and path && ${sql.val([scope.of])}::uuid[]`;
}

/** "This column names an organisation of the scope", as a predicate any module's query can take. */
export function inScopeSql(column: string, scope: Scope) {
  return sql<boolean>`${sql.ref(column)} in (select id from organisations where ${scopeCondition(scope)})`;
}

/** How many organisations a scope holds (one count, whatever the number). */
export async function countInScope(db: Kysely<DB>, scope: Scope): Promise<number> {
  const row = await db
    .selectFrom("organisations")
    .select(sql<number>`count(*)::int`.as("n"))
    .where(scopeCondition(scope))
    .executeTakeFirstOrThrow();
  return row.n;
}

/** The organisations a comparison lists, by name: one query whatever their number. */
export async function inScope(db: Kysely<DB>, scope: Scope) {
  const rows = await db.selectFrom("organisations").selectAll().where(scopeCondition(scope)).orderBy("name").execute();
  return rows.map(toOrganisation);
}

/** Organisations of the subtrees of `roots` (all when null) whose name contains `text`, accents and case ignored. */
export async function searchInSubtrees(db: Kysely<DB>, roots: string[] | null, text: string, limit: number): Promise<Organisation[]> {
  const pattern = `%${text.replace(/[%_\\]/g, "\\$&")}%`;
  // The expression of the trigram index of migration 0016.
  let q = db.selectFrom("organisations").selectAll().where(sql<boolean>`vigie_fold(name) like vigie_fold(${pattern})`);
  if (roots !== null) q = q.where(sql<boolean>`path && ${sql.val(roots)}::uuid[]`);
  const rows = await q.orderBy("name").limit(limit).execute();
  return rows.map(toOrganisation);
}

/** For each node of the subtrees of `roots` (all when null), how many sites it holds: one grouped statement over the paths. */
export async function sitesBelow(db: Kysely<DB>, roots: string[] | null): Promise<Map<string, number>> {
  const rows = await sql<{ id: string; n: number }>`
    select a.id, count(*)::int as n
    from organisations s cross join lateral unnest(s.path) as a(id)
    where s.kind = 'site' ${roots === null ? sql`` : sql`and s.path && ${sql.val(roots)}::uuid[]`}
    group by a.id
  `.execute(db);
  return new Map(rows.rows.map((r) => [r.id, r.n]));
}
