import { type Expression, type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Channel, Target } from "./channels.ts";
import { searchWords } from "./search-text.ts";

export interface FrameworkSummary {
  id: string;
  name: string;
  edition: string;
  summary: string;
  commitmentCount: number;
}

export interface CommitmentRow {
  id: string;
  frameworkId: string;
  number: number;
  title: string;
  details: string | null;
  themeId: string;
  channels: Channel[];
  targets: Target[];
}

type Raw = {
  id: string;
  framework_id: string;
  number: number;
  title: string;
  details: string | null;
  theme_id: string;
  channels: string[];
  targets: unknown;
};

function toCommitment(r: Raw): CommitmentRow {
  return {
    id: r.id,
    frameworkId: r.framework_id,
    number: r.number,
    title: r.title,
    details: r.details,
    themeId: r.theme_id,
    // Written from schema-checked files by the sync: the shape is known.
    channels: r.channels as Channel[],
    targets: r.targets as Target[],
  };
}

const COMMITMENT_COLUMNS = ["c.id", "c.framework_id", "c.number", "c.title", "c.details", "c.theme_id", "c.channels", "c.targets"] as const;

export async function listFrameworks(db: Kysely<DB>): Promise<FrameworkSummary[]> {
  const rows = await db
    .selectFrom("frameworks as f")
    .select([
      "f.id",
      "f.name",
      "f.edition",
      "f.summary",
      sql<number>`(select count(*)::int from commitments c where c.framework_id = f.id)`.as("n"),
    ])
    .orderBy("f.position")
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, edition: r.edition, summary: r.summary, commitmentCount: r.n }));
}

export async function findFramework(db: Kysely<DB>, frameworkId: string) {
  return db.selectFrom("frameworks").selectAll().where("id", "=", frameworkId).executeTakeFirst();
}

export async function themesOf(db: Kysely<DB>, frameworkId: string) {
  return db.selectFrom("framework_themes").select(["id", "title"]).where("framework_id", "=", frameworkId).orderBy("position").execute();
}

export interface CommitmentQuery {
  frameworkId?: string | undefined;
  channel?: Channel | undefined;
  q?: string | undefined;
  ids?: string[] | undefined;
}

export async function findCommitments(db: Kysely<DB>, query: CommitmentQuery): Promise<CommitmentRow[]> {
  let q = db.selectFrom("commitments as c").innerJoin("frameworks as f", "f.id", "c.framework_id").select(COMMITMENT_COLUMNS);
  if (query.frameworkId) q = q.where("c.framework_id", "=", query.frameworkId);
  if (query.channel) q = q.where(sql<boolean>`${query.channel} = any(c.channels)`);
  if (query.ids) q = q.where("c.id", "in", query.ids.length ? query.ids : [""]);
  for (const word of searchWords(query.q ?? "")) q = q.where("c.search", "like", `%${word}%`);
  const rows = await q.orderBy("f.position").orderBy("c.number").execute();
  return rows.map(toCommitment);
}

export async function requirementsOf(db: Kysely<DB>, commitmentIds: string[]) {
  if (!commitmentIds.length) return [];
  return db
    .selectFrom("requirements")
    .select(["id", "commitment_id", "text"])
    .where("commitment_id", "in", commitmentIds)
    .orderBy("commitment_id")
    .orderBy("position")
    .execute();
}

/** Links in both directions: what a commitment became, and what it came from. */
export async function linksOf(db: Kysely<DB>, commitmentIds: string[]) {
  if (!commitmentIds.length) return [];
  return db
    .selectFrom("commitment_links")
    .select(["from_id", "to_id", "relation"])
    .where((eb) => eb.or([eb("from_id", "in", commitmentIds), eb("to_id", "in", commitmentIds)]))
    .execute();
}

/** The framework adopted by the nearest organisation of the path (the organisation itself first). */
export async function adoptionOnPath(db: Kysely<DB>, path: string[]) {
  if (!path.length) return undefined;
  const rows = await db.selectFrom("org_frameworks").selectAll().where("org_id", "in", path).execute();
  for (const id of [...path].reverse()) {
    const row = rows.find((r) => r.org_id === id);
    if (row) return row;
  }
  return undefined;
}

export async function upsertAdoption(db: Kysely<DB>, orgId: string, frameworkId: string) {
  return db
    .insertInto("org_frameworks")
    .values({ org_id: orgId, framework_id: frameworkId })
    .onConflict((oc) =>
      oc.column("org_id").doUpdateSet({ framework_id: frameworkId, adopted_at: new Date(), version: sql`org_frameworks.version + 1` }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteAdoption(db: Kysely<DB>, orgId: string) {
  return db.deleteFrom("org_frameworks").where("org_id", "=", orgId).returningAll().executeTakeFirst();
}

type LocalRaw = {
  org_id: string;
  id: string;
  base_commitment_id: string | null;
  title: string;
  channels: string[];
  targets: unknown;
  version: number;
};

export interface LocalCommitmentRow {
  orgId: string;
  id: string;
  baseCommitmentId: string | null;
  title: string;
  channels: Channel[];
  targets: Target[];
  version: number;
}

function toLocal(r: LocalRaw): LocalCommitmentRow {
  // Written only through the service, after schema validation.
  return {
    orgId: r.org_id,
    id: r.id,
    baseCommitmentId: r.base_commitment_id,
    title: r.title,
    channels: r.channels as Channel[],
    targets: r.targets as Target[],
    version: r.version,
  };
}

export async function localCommitmentsOnPath(db: Kysely<DB>, path: string[]): Promise<LocalCommitmentRow[]> {
  if (!path.length) return [];
  const rows = await db.selectFrom("local_commitments").selectAll().where("org_id", "in", path).orderBy("created_at").execute();
  return rows.map(toLocal);
}

/**
 * Adoptions and local commitments of the organisations on `rootPath` (a node and its ancestors) and
 * in the node's subtree (`subtree`, a subquery of ids): all a set of organisations below the node
 * can inherit, in two reads whatever their number.
 */
export async function adoptionsAround(db: Kysely<DB>, rootPath: string[], subtree: Expression<unknown>) {
  return db
    .selectFrom("org_frameworks")
    .selectAll()
    .where((eb) => eb.or([eb("org_id", "in", rootPath), eb("org_id", "in", sql<string>`(${subtree})`)]))
    .execute();
}

export async function localCommitmentsAround(
  db: Kysely<DB>,
  rootPath: string[],
  subtree: Expression<unknown>,
): Promise<LocalCommitmentRow[]> {
  const rows = await db
    .selectFrom("local_commitments")
    .selectAll()
    .where((eb) => eb.or([eb("org_id", "in", rootPath), eb("org_id", "in", sql<string>`(${subtree})`)]))
    .orderBy("created_at")
    .execute();
  return rows.map(toLocal);
}

export async function findLocalCommitment(db: Kysely<DB>, orgId: string, id: string): Promise<LocalCommitmentRow | undefined> {
  const row = await db.selectFrom("local_commitments").selectAll().where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
  return row ? toLocal(row) : undefined;
}

export interface LocalValues {
  baseCommitmentId: string | null;
  title: string;
  channels: Channel[];
  targets: Target[];
}

export async function insertLocalCommitment(db: Kysely<DB>, orgId: string, v: LocalValues): Promise<LocalCommitmentRow> {
  const row = await db
    .insertInto("local_commitments")
    .values({
      org_id: orgId,
      base_commitment_id: v.baseCommitmentId,
      title: v.title,
      channels: v.channels,
      targets: JSON.stringify(v.targets),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toLocal(row);
}

export async function updateLocalCommitment(db: Kysely<DB>, orgId: string, id: string, version: number, v: LocalValues) {
  const row = await db
    .updateTable("local_commitments")
    .set({
      base_commitment_id: v.baseCommitmentId,
      title: v.title,
      channels: v.channels,
      targets: JSON.stringify(v.targets),
      version: version + 1,
      updated_at: new Date(),
    })
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("version", "=", version)
    .returningAll()
    .executeTakeFirst();
  return row ? toLocal(row) : undefined;
}

export async function deleteLocalCommitment(db: Kysely<DB>, orgId: string, id: string, version: number): Promise<boolean> {
  const r = await db
    .deleteFrom("local_commitments")
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("version", "=", version)
    .executeTakeFirst();
  return r.numDeletedRows > 0n;
}
