import { type RawBuilder, sql } from "kysely";

/**
 * What other modules' queries may embed of the accounts and grants tables, written here so that only this
 * module names them (test/architecture.test.ts) and re-exported by accounts.service. Each is a subquery the
 * caller's statement takes as it is (a nightly scan over every site stays one statement); a path is any
 * SQL expression holding an organisation's ancestors (`path uuid[]`, root first): a column, or
 * organisations' `pathOfSql` (cast here: `= any(subquery)` would otherwise compare with each row).
 * Imports only Kysely, so any repository may take it.
 */

/** Who may be told something: an active person, not a service account (those act through API tokens only). */
const reachable = sql`a.active and not a.service`;

/**
 * The reachable people (`id`, `email`, `display_name`) holding one of `roles` on an organisation of `path`
 * (the organisation itself or an ancestor), as a derived table: an alert's default recipients.
 */
export function holdersOnPathSql(path: RawBuilder<unknown>, roles: readonly string[]) {
  return sql`(
    select a.id, a.email, a.display_name from accounts a
    where ${reachable} and exists (
      select 1 from grants g
      where g.account_id = a.id and g.org_id = any((${path})::uuid[]) and g.role = any(${sql.val([...roles])}::text[])))`;
}

/** The reachable people among `ids` (`id`, `email`, `display_name`), as a derived table: recipients named by the caller. */
export function reachableAmongSql(ids: readonly string[]) {
  return sql`(select a.id, a.email, a.display_name from accounts a where ${reachable} and a.id = any(${sql.val([...ids])}::uuid[]))`;
}

/**
 * The reachable person holding `role` on the nearest organisation of `path` that has one (ties: by name,
 * then id), as a scalar subquery: null when no one does.
 */
export function nearestHolderSql(path: RawBuilder<unknown>, role: string): RawBuilder<string | null> {
  return sql<string | null>`(
    select g.account_id from grants g
    join accounts a on a.id = g.account_id and ${reachable}
    join unnest((${path})::uuid[]) with ordinality as p(id, depth) on p.id = g.org_id
    where g.role = ${role}
    order by p.depth desc, a.display_name, a.id limit 1)`;
}

/** "The account a column holds the id of is active" (a service account included: it may hold a request). */
export function isActiveAccountSql(column: string): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from accounts a where a.id = ${sql.ref(column)} and a.active)`;
}

/** Every account's `id`, `email` and `display_name`, as a derived table to join on `id`: whom a row names, to write to. */
export function accountContactsSql() {
  return sql`(select id, email, display_name from accounts)`;
}
