import { type Kysely, type RawBuilder, sql } from "kysely";
import type { DB } from "../../db/schema.ts";

/**
 * What other modules' queries may embed of the organisations table, written here so that only this
 * module names it (test/architecture.test.ts) and re-exported by organisations.service. A subtree is a
 * subquery over the ancestors' array (`path uuid[]`, GIN index), never an id list sent as parameters
 * (issue #13: a network has thousands of nodes); a name or a path is a scalar subquery on a column
 * holding an organisation's id, so the caller's query stays one statement. Imports only Kysely and
 * types, so any repository may take it without an import cycle.
 */

/** The children of a node, or every site of its subtree (the indicators' `OrgScope`). */
export type Scope = { of: string; depth: "children" | "sites" };

/** The ids of the subtrees of several roots (what an actor reaches), as one subquery. */
export function subtreesIdsQuery(db: Kysely<DB>, roots: string[]) {
  return db
    .selectFrom("organisations")
    .select("id")
    .where(sql<boolean>`path && ${sql.val(roots)}::uuid[]`);
}

/** The ids of an organisation's subtree, as a subquery other modules can filter on without loading them. */
export function subtreeIdsQuery(db: Kysely<DB>, root: string) {
  return subtreesIdsQuery(db, [root]);
}

/**
 * The one definition of a scope, as a condition on an `organisations` row: every reader below builds on
 * it, so the scope stays a subquery (`parent_id = …` or `path && …`), never an id list sent as parameters.
 */
export function scopeCondition(scope: Scope) {
  return scope.depth === "children"
    ? sql<boolean>`parent_id = ${scope.of}`
    : sql<boolean>`kind = 'site' and path && ${sql.val([scope.of])}::uuid[]`;
}

/** The ids of a scope's organisations (children of a node, or every site below it) as a subquery. */
export function scopeIdsQuery(db: Kysely<DB>, scope: Scope) {
  return db.selectFrom("organisations").select("id").where(scopeCondition(scope));
}

/** "This column names an organisation of the scope", as a predicate any module's query can take. */
export function inScopeSql(column: string, scope: Scope) {
  return sql<boolean>`${sql.ref(column)} in (select id from organisations where ${scopeCondition(scope)})`;
}

/** "This column names an organisation of the subtree of `root`" (the root itself included). */
export function inSubtreeSql(column: string, root: string) {
  return sql<boolean>`${sql.ref(column)} in (select id from organisations where path && ${sql.val([root])}::uuid[])`;
}

/** "This column names an organisation whose name contains `text`", accents and case ignored (the trigram index of migration 0016). */
export function nameContainsSql(column: string, text: string) {
  const pattern = `%${text.replace(/[%_\\]/g, "\\$&")}%`;
  return sql<boolean>`${sql.ref(column)} in (select id from organisations where vigie_fold(name) like vigie_fold(${pattern}))`;
}

/** The name of the organisation a column holds the id of. */
export function organisationNameSql(column: string) {
  return sql<string>`(select name from organisations where id = ${sql.ref(column)})`;
}

/** The path (ancestors, root first, itself last) of the organisation a column holds the id of. */
export function organisationPathSql(column: string): RawBuilder<string[]> {
  return sql<string[]>`(select path from organisations where id = ${sql.ref(column)})`;
}

/** The ids of an organisation and of its direct children, as a subquery. */
export function selfAndChildrenIdsQuery(db: Kysely<DB>, orgId: string) {
  return db
    .selectFrom("organisations")
    .select("id")
    .where((eb) => eb.or([eb("id", "=", orgId), eb("parent_id", "=", orgId)]));
}

/**
 * For each organisation of a scope, every organisation of its subtree (itself included), as rows
 * (`root_id`, `id`) to join a table's `org_id` on: what a scope's figures add up over each subtree, in
 * one grouped read.
 */
export function scopeSubtreesQuery(db: Kysely<DB>, scope: Scope) {
  return db
    .selectFrom("organisations as s")
    .innerJoin("organisations as o", (j) => j.on(sql<boolean>`o.path @> array[s.id]`))
    .select(["s.id as root_id", "o.id"])
    .where(inScopeSql("s.id", scope));
}

/** The path (ancestors, root first, itself last) of the organisation `id`, as a scalar subquery. */
export function pathOfSql(id: string): RawBuilder<string[]> {
  return sql<string[]>`(select path from organisations where id = ${id})`;
}

/**
 * Where each organisation sits — its parent, its ancestors (`path`), its time zone and its holiday zone —
 * as a derived table to join on `id`: what a scan over many organisations' rows (the nightly deadline and
 * escalation passes, the publication planner) needs of each, in its one statement. A plain projection, so
 * the planner flattens it and the `path` and `id` indexes serve as if the table were named.
 */
export function organisationPlacesSql() {
  return sql`(select id, parent_id, path, time_zone, holiday_zone from organisations)`;
}
