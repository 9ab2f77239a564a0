import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { contributionPoint } from "../../kernel/contributions.ts";
import { AppError } from "../../kernel/errors.ts";
import { type Actor, can, type Permission, reachRoots } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { MAX_LOGO_BYTES, sniffLogoType } from "./logo.ts";
import { canContain, type Organisation } from "./organisation.ts";
import * as repo from "./organisations.repository.ts";
import type { OrganisationCreateInput, OrganisationUpdateInput } from "./organisations.schema.ts";
import * as expr from "./organisations.sql.ts";

export type { Organisation };

/** The ancestry of an organisation (root first, itself last), for access checks; undefined if unknown. */
export function organisationPath(db: Kysely<DB>, orgId: string): Promise<string[] | undefined> {
  return repo.findPath(db, orgId);
}

/**
 * The organisation of a route, for the access check: its ancestry (what rights are judged on) and its
 * time zone (its « today »: `todayOfRequest`), read once per request.
 */
export function organisationForAccess(db: Kysely<DB>, orgId: string): Promise<{ path: string[]; timeZone: string } | undefined> {
  return repo.findPathAndZone(db, orgId);
}

/** The organisations the actor may see, as a flat list. */
export function listVisible(db: Kysely<DB>, actor: Actor, permission: Permission = "org.read"): Promise<Organisation[]> {
  return repo.listInSubtrees(db, actor.instanceAdmin ? null : reachRoots(actor, permission));
}

/**
 * The ids of the organisation's subtree as a subquery: a national network has thousands of nodes,
 * and sending them as parameters costs more than the query they filter.
 */
export const subtreeIds = expr.subtreeIdsQuery;

/** The same for the subtrees of several roots: where an actor holds a permission (`reachRoots`). */
export const subtreesIds = expr.subtreesIdsQuery;

/** The ids of a scope's organisations (`OrgScope` of the indicators) as a subquery, for the same reason. */
export const scopeIds = expr.scopeIdsQuery;

/** How many organisations the instance holds (the demo loader refuses to mix its data with real ones). */
export const countOrganisations = repo.countAll;

/** The children of a node, or every site of its subtree, by name (issue #13: comparison at any depth). */
export const organisationsInScope = repo.inScope;

/** A predicate on a column holding organisation ids: true for the organisations of the scope (a subquery, never an id list). */
export const inScopeSql = expr.inScopeSql;

/** The same for a subtree, and the name and path of an organisation by its id column: what other modules' queries embed of this table. */
export {
  inSubtreeSql,
  nameContainsSql,
  organisationNameSql,
  organisationPathSql,
  organisationPlacesSql,
  pathOfSql,
  scopeSubtreesQuery,
  selfAndChildrenIdsQuery,
} from "./organisations.sql.ts";

/** How many organisations a scope holds: the dashboard offers « tous les sites » with their number. */
export const countInScope = repo.countInScope;

/** The direct children of an organisation, by name (the public page of a network links to them). */
export const organisationChildren = repo.childrenByName;

/** The size of a subtree, counted up to `cap` only (whether a publication needs chunks). */
export const subtreeSize = repo.subtreeSize;

/** Every organisation of a subtree (id, name, kind, SIRET, parent), by name then id: open data lists them so. */
export const subtreeByName = repo.subtreeByName;

/** Every site under a node (id, name, path), by name then id: the yearly obligations go through them. */
export const sitesByName = repo.sitesByName;

/** Counts given per organisation, added up each path: every node's total over its subtree (the tree page's open requests). */
export const sumUpTree = repo.sumUpTree;

/**
 * What other modules count below each node of the tree page (the requests module: open requests),
 * handed in through their module description so this module never imports them. `read` answers for
 * every node the actor may see, in a bounded number of statements; `label` words a count.
 */
export interface TreeCount {
  read(db: Kysely<DB>, actor: Actor): Promise<Map<string, number>>;
  label(count: number): string;
}
export const treeCountPoint = contributionPoint<TreeCount>("organisations.treeCounts");

/**
 * The tree page: the organisations the actor may see, or — with a search — those whose name contains
 * it (accents and case ignored) with their ancestors for context, and how many sites each one holds.
 * A bounded number of statements, whatever the tree's size.
 */
export async function organisationTree(
  db: Kysely<DB>,
  actor: Actor,
  search: string | undefined,
): Promise<{ orgs: Organisation[]; matches: Set<string>; sitesBelow: Map<string, number>; truncated: boolean }> {
  const roots = actor.instanceAdmin ? null : reachRoots(actor, "org.read");
  const sitesBelow = await repo.sitesBelow(db, roots);
  if (!search) return { orgs: await repo.listInSubtrees(db, roots), matches: new Set(), sitesBelow, truncated: false };
  const found = await repo.searchInSubtrees(db, roots, search, SEARCH_LIMIT + 1);
  const truncated = found.length > SEARCH_LIMIT;
  const matches = found.slice(0, SEARCH_LIMIT);
  // Ancestors the actor may see, so a site found shows under its department and region.
  const ancestorIds = [...new Set(matches.flatMap((o) => o.path.slice(0, -1)))].filter((id) => !matches.some((m) => m.id === id));
  const ancestors = [...(await organisationsById(db, ancestorIds)).values()].filter(
    (o) => roots === null || o.path.some((id) => roots.includes(id)),
  );
  return { orgs: [...ancestors, ...matches], matches: new Set(matches.map((o) => o.id)), sitesBelow, truncated };
}

/** At most this many organisations found by a search of the tree page. */
const SEARCH_LIMIT = 200;

/** The organisation and everything below it, whoever asks (callers have checked access to the root). */
export async function subtree(db: Kysely<DB>, orgId: string): Promise<Organisation[]> {
  return repo.listInSubtrees(db, [orgId]);
}

/** Reads an organisation the access layer has already cleared for the actor. */
export async function getOrganisation(db: Kysely<DB>, orgId: string): Promise<Organisation> {
  const org = await repo.findById(db, orgId);
  if (!org) throw new AppError("organisation.not_found");
  return org;
}

export async function createOrganisation(db: Kysely<DB>, actor: Actor, input: OrganisationCreateInput): Promise<Organisation> {
  return db.transaction().execute(async (trx) => {
    let parentPath: string[] | null = null;
    if (input.parentId) {
      const parent = await repo.findById(trx, input.parentId);
      if (!parent || !can(actor, "org.read", parent.path)) {
        throw new AppError("validation", { fields: { parentId: "Organisation de rattachement introuvable." } });
      }
      if (!can(actor, "org.create", parent.path)) throw new AppError("auth.forbidden");
      if (!canContain(parent.kind, input.kind)) {
        throw new AppError("validation", {
          fields: { kind: "Ce type ne peut pas être rattaché à l'organisation choisie (réseau → région → département → site → service)." },
        });
      }
      parentPath = parent.path;
    } else if (!actor.instanceAdmin) {
      // A new root is a new tenant: only the instance administrator opens one.
      throw new AppError("validation", { fields: { parentId: "Choisissez l'organisation de rattachement." } });
    }
    const org = await repo.insert(trx, randomUUID(), parentPath, input);
    await recordAudit(trx, auditActor(actor), {
      orgId: org.id,
      action: "create",
      entity: "organisation",
      entityId: org.id,
      after: org,
    });
    return org;
  });
}

export async function updateOrganisation(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  input: OrganisationUpdateInput,
): Promise<Organisation> {
  return db.transaction().execute(async (trx) => {
    const before = await repo.findById(trx, orgId);
    if (!before) throw new AppError("organisation.not_found");
    if (before.parentId) {
      const parent = await repo.findById(trx, before.parentId);
      if (parent && !canContain(parent.kind, input.kind)) {
        throw new AppError("validation", { fields: { kind: "Ce type ne peut pas être rattaché à l'organisation parente." } });
      }
    }
    const children = (await repo.listInSubtrees(trx, [orgId])).filter((o) => o.parentId === orgId);
    if (children.some((c) => !canContain(input.kind, c.kind))) {
      throw new AppError("validation", { fields: { kind: "Ce type ne peut pas contenir les organisations déjà rattachées." } });
    }
    const after = await repo.update(trx, orgId, input.version, input);
    if (!after) throw new AppError("organisation.stale");
    await recordAudit(trx, auditActor(actor), { orgId, action: "update", entity: "organisation", entityId: orgId, before, after });
    return after;
  });
}

export async function deleteOrganisation(db: Kysely<DB>, actor: Actor, orgId: string, version: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await repo.findById(trx, orgId);
    if (!before) throw new AppError("organisation.not_found");
    if ((await repo.countChildren(trx, orgId)) > 0) throw new AppError("organisation.has_children");
    const removed = await repo.remove(trx, orgId, version).catch((error: unknown) => {
      // Another module's rows still point at it (requests are kept, never cascaded away).
      if (typeof error === "object" && error !== null && "code" in error && error.code === "23503")
        throw new AppError("organisation.has_data");
      throw error;
    });
    if (!removed) throw new AppError("organisation.stale");
    await recordAudit(trx, auditActor(actor), { orgId, action: "delete", entity: "organisation", entityId: orgId, before });
  });
}

/** The organisation's logo for its public pages, if it has one. */
export function organisationLogo(db: Kysely<DB>, orgId: string) {
  return repo.findLogo(db, orgId);
}

export function organisationHasLogo(db: Kysely<DB>, orgId: string): Promise<boolean> {
  return repo.hasLogo(db, orgId);
}

/** Sets the logo from an uploaded file; refused in French unless it is a small PNG, JPEG or WebP image. */
export async function setOrganisationLogo(db: Kysely<DB>, actor: Actor, orgId: string, data: Buffer): Promise<void> {
  if (data.length === 0) throw new AppError("validation", { fields: { file: "Choisissez une image." } });
  if (data.length > MAX_LOGO_BYTES) {
    throw new AppError("validation", { fields: { file: `L'image dépasse ${MAX_LOGO_BYTES / 1024} Ko : réduisez-la avant de l'envoyer.` } });
  }
  const contentType = sniffLogoType(data);
  if (!contentType) throw new AppError("validation", { fields: { file: "Le logo doit être une image PNG, JPEG ou WebP." } });
  await db.transaction().execute(async (trx) => {
    await repo.upsertLogo(trx, orgId, contentType, data);
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "organisation_logo",
      entityId: orgId,
      after: { contentType, bytes: data.length },
    });
  });
}

export async function removeOrganisationLogo(db: Kysely<DB>, actor: Actor, orgId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await repo.deleteLogo(trx, orgId))) return;
    await recordAudit(trx, auditActor(actor), { orgId, action: "delete", entity: "organisation_logo", entityId: orgId });
  });
}

/** The organisations of a path (or any list of ids), by id, with their names: for saying where something comes from. */
export async function organisationsById(db: Kysely<DB>, ids: string[]): Promise<Map<string, Organisation>> {
  if (!ids.length) return new Map();
  return new Map((await repo.findByIds(db, ids)).map((o) => [o.id, o]));
}
