import type { Kysely, RawBuilder, SelectQueryBuilder } from "kysely";
import type { DB } from "../../db/schema.ts";
import { contributionPoint } from "../../kernel/contributions.ts";

/**
 * The organisations' expressions the audit list needs (an entry's organisation name, the subtrees an
 * actor reaches), lent by the organisations module through its description: organisations records its
 * changes through this module, so this module does not import it back (docs/architecture.md).
 */
export interface AuditOrganisations {
  /** The name of the organisation a column holds the id of. */
  organisationNameSql(column: string): RawBuilder<string>;
  /** The ids of the subtrees of several roots, as one subquery. */
  subtreesIdsQuery(db: Kysely<DB>, roots: string[]): SelectQueryBuilder<DB, "organisations", { id: string }>;
}
export const auditOrganisationsPoint = contributionPoint<AuditOrganisations>("audit.organisations");

function organisations(): AuditOrganisations {
  const lent = auditOrganisationsPoint.items()[0];
  if (!lent) throw new Error("Le module organisations n'a pas prêté ses expressions au journal d'audit.");
  return lent;
}

export const INSTANCE_SCOPE = "00000000-0000-0000-0000-000000000000";

export interface AuditInsert {
  orgId: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

export async function insertEntry(db: Kysely<DB>, orgId: string, entry: Omit<AuditInsert, "orgId">): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      org_id: orgId,
      actor_id: entry.actorId,
      actor_label: entry.actorLabel,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}

export interface AuditQuery {
  /** null: every entry (instance admins); otherwise entries of these subtrees only. */
  reachRoots: string[] | null;
  entity?: string | undefined;
  entityId?: string | undefined;
  actor?: string | undefined;
  beforeId?: string | undefined;
  limit: number;
}

export async function listEntries(db: Kysely<DB>, query: AuditQuery) {
  let q = db.selectFrom("audit_log as a").select([
    "a.org_id",
    "a.id",
    "a.at",
    "a.actor_id",
    "a.actor_label",
    "a.action",
    "a.entity",
    "a.entity_id",
    "a.before",
    "a.after",
    // Null once the organisation is deleted: the log outlives what it describes.
    organisations().organisationNameSql("a.org_id").$castTo<string | null>().as("org_name"),
  ]);
  if (query.reachRoots !== null) q = q.where("a.org_id", "in", organisations().subtreesIdsQuery(db, query.reachRoots));
  if (query.entity) q = q.where("a.entity", "=", query.entity);
  if (query.entityId) q = q.where("a.entity_id", "=", query.entityId);
  if (query.actor) q = q.where("a.actor_label", "ilike", `%${query.actor.replace(/[%_\\]/g, "\\$&")}%`);
  if (query.beforeId) q = q.where("a.id", "<", query.beforeId);
  return q.orderBy("a.id", "desc").limit(query.limit).execute();
}
