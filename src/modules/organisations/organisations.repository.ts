import { type Kysely, type RawBuilder, sql } from "kysely";
import type { DB, OrganisationRow } from "../../db/schema.ts";
import type { HolidayZone, Organisation, OrgKind } from "./organisation.ts";
import { type Scope, scopeCondition } from "./organisations.sql.ts";

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

/** The direct children of an organisation, by name. */
export async function childrenByName(db: Kysely<DB>, orgId: string): Promise<Array<{ id: string; name: string; kind: string }>> {
  return db.selectFrom("organisations").select(["id", "name", "kind"]).where("parent_id", "=", orgId).orderBy("name").execute();
}

/** The size of a subtree, counted up to `cap` only. */
export async function subtreeSize(db: Kysely<DB>, rootId: string, cap: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from (select 1 from organisations where path && ${sql.val([rootId])}::uuid[] limit ${cap}) x`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Every organisation of a subtree with what open data names it by, by name then id. */
export async function subtreeByName(db: Kysely<DB>, rootId: string) {
  return db
    .selectFrom("organisations")
    .select(["id", "name", "kind", "siret", "parent_id"])
    .where(sql<boolean>`path && ${sql.val([rootId])}::uuid[]`)
    .orderBy("name")
    .orderBy("id")
    .execute();
}

/** Every site under `root` (id, name, path), by name then id: one query. */
export async function sitesByName(db: Kysely<DB>, root: string) {
  return db
    .selectFrom("organisations")
    .select(["id", "name", "path"])
    .where(scopeCondition({ of: root, depth: "sites" }))
    .orderBy("name")
    .orderBy("id")
    .execute();
}

/**
 * Counts given per organisation (`perOrg`: rows of `org_id` and `n`), each added up its path: for every
 * node of the subtrees of `roots` (all when null), the total over its whole subtree. One statement.
 */
export async function sumUpTree(db: Kysely<DB>, perOrg: RawBuilder<unknown>, roots: string[] | null): Promise<Map<string, number>> {
  const rows = await sql<{ id: string; n: number }>`
    with per_org as (${perOrg})
    select a.id, sum(p.n)::int as n
    from per_org p
    join organisations o on o.id = p.org_id
    cross join lateral unnest(o.path) as a(id)
    ${roots === null ? sql`` : sql`where o.path && ${sql.val(roots)}::uuid[]`}
    group by a.id
  `.execute(db);
  return new Map(rows.rows.map((r) => [r.id, r.n]));
}
