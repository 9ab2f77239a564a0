import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { OrgScope } from "../indicators/indicator.ts";
import { inScopeSql, inSubtreeSql, nameContainsSql, organisationNameSql } from "../organisations/organisations.service.ts";

/** Kysely queries of self-assessment campaigns; every function takes the organisation id first. */
export interface CampaignRow {
  orgId: string;
  id: string;
  year: number;
  frameworkId: string | null;
  status: string;
  overallScore: number | null;
  commitmentScores: unknown;
  signedByLabel: string | null;
  signedAt: Date | null;
  version: number;
  createdAt: Date;
}

export interface ItemRow {
  requirementId: string;
  position: number;
  commitmentId: string;
  commitmentNumber: number | null;
  commitmentTitle: string;
  requirementText: string;
  status: string | null;
  comment: string | null;
  links: string[];
  version: number;
  updatedAt: Date;
  updatedByLabel: string | null;
}

export interface EvidenceRow {
  id: string;
  requirementId: string;
  fileName: string;
  contentType: string;
  size: number;
  createdByLabel: string;
  createdAt: Date;
}

const num = (v: string | number | null) => (v === null ? null : Number(v));

function campaigns(db: Kysely<DB>, orgId: string) {
  return db
    .selectFrom("assessments")
    .select([
      "org_id",
      "id",
      "year",
      "framework_id",
      "status",
      "overall_score",
      "commitment_scores",
      "signed_by_label",
      "signed_at",
      "version",
      "created_at",
    ])
    .where("org_id", "=", orgId);
}

type Row = Awaited<ReturnType<ReturnType<typeof campaigns>["executeTakeFirstOrThrow"]>>;
const toCampaign = (r: Row): CampaignRow => ({
  orgId: r.org_id,
  id: r.id,
  year: r.year,
  frameworkId: r.framework_id,
  status: r.status,
  overallScore: num(r.overall_score),
  commitmentScores: r.commitment_scores,
  signedByLabel: r.signed_by_label,
  signedAt: r.signed_at,
  version: r.version,
  createdAt: r.created_at,
});

export async function listCampaigns(db: Kysely<DB>, orgId: string): Promise<CampaignRow[]> {
  return (await campaigns(db, orgId).orderBy("year", "desc").execute()).map(toCampaign);
}

export async function findCampaign(db: Kysely<DB>, orgId: string, id: string): Promise<CampaignRow | undefined> {
  const row = await campaigns(db, orgId).where("id", "=", id).executeTakeFirst();
  return row ? toCampaign(row) : undefined;
}

export async function findCampaignOfYear(db: Kysely<DB>, orgId: string, year: number): Promise<CampaignRow | undefined> {
  const row = await campaigns(db, orgId).where("year", "=", year).executeTakeFirst();
  return row ? toCampaign(row) : undefined;
}

/** Locks the row of a campaign for the rest of the transaction: writes to one campaign queue up. */
export async function lockCampaign(db: Kysely<DB>, orgId: string, id: string): Promise<CampaignRow | undefined> {
  const row = await campaigns(db, orgId).where("id", "=", id).forUpdate().executeTakeFirst();
  return row ? toCampaign(row) : undefined;
}

export async function insertCampaign(
  db: Kysely<DB>,
  orgId: string,
  input: {
    year: number;
    frameworkId: string | null;
    items: Array<Omit<ItemRow, "status" | "comment" | "links" | "version" | "updatedAt" | "updatedByLabel">>;
  },
): Promise<string | undefined> {
  const adb = db;
  const created = await adb
    .insertInto("assessments")
    .values({ org_id: orgId, year: input.year, framework_id: input.frameworkId })
    .onConflict((oc) => oc.columns(["org_id", "year"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!created) return undefined;
  if (input.items.length) {
    await adb
      .insertInto("assessment_items")
      .values(
        input.items.map((i) => ({
          org_id: orgId,
          assessment_id: created.id,
          requirement_id: i.requirementId,
          position: i.position,
          commitment_id: i.commitmentId,
          commitment_number: i.commitmentNumber,
          commitment_title: i.commitmentTitle,
          requirement_text: i.requirementText,
        })),
      )
      .execute();
  }
  return created.id;
}

export async function itemsOf(db: Kysely<DB>, orgId: string, assessmentId: string): Promise<ItemRow[]> {
  const rows = await db
    .selectFrom("assessment_items")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("assessment_id", "=", assessmentId)
    .orderBy("position")
    .execute();
  return rows.map((r) => ({
    requirementId: r.requirement_id,
    position: r.position,
    commitmentId: r.commitment_id,
    commitmentNumber: r.commitment_number,
    commitmentTitle: r.commitment_title,
    requirementText: r.requirement_text,
    status: r.status,
    comment: r.comment,
    links: r.links,
    version: r.version,
    updatedAt: r.updated_at,
    updatedByLabel: r.updated_by_label,
  }));
}

/** Writes one answer if its version is still the one the form showed; false when it is not. */
export async function updateItem(
  db: Kysely<DB>,
  orgId: string,
  assessmentId: string,
  requirementId: string,
  version: number,
  values: { status: string | null; comment: string | null; links: string[]; byLabel: string },
): Promise<boolean> {
  const result = await db
    .updateTable("assessment_items")
    .set((eb) => ({
      status: values.status,
      comment: values.comment,
      links: values.links,
      updated_by_label: values.byLabel,
      updated_at: new Date(),
      version: eb("version", "+", 1),
    }))
    .where("org_id", "=", orgId)
    .where("assessment_id", "=", assessmentId)
    .where("requirement_id", "=", requirementId)
    .where("version", "=", version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function saveScores(
  db: Kysely<DB>,
  orgId: string,
  id: string,
  overall: number | null,
  byCommitment: Record<string, number | null>,
): Promise<void> {
  await db
    .updateTable("assessments")
    .set((eb) => ({ overall_score: overall, commitment_scores: JSON.stringify(byCommitment), version: eb("version", "+", 1) }))
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .execute();
}

export async function markSigned(
  db: Kysely<DB>,
  orgId: string,
  id: string,
  version: number,
  by: { accountId: string | null; label: string },
): Promise<boolean> {
  const result = await db
    .updateTable("assessments")
    .set((eb) => ({
      status: "signed",
      signed_by: by.accountId,
      signed_by_label: by.label,
      signed_at: new Date(),
      version: eb("version", "+", 1),
    }))
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .where("version", "=", version)
    .where("status", "=", "open")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Adds a signed campaign's scores to the organisation's and every ancestor's rollup, in one statement. */
export async function addToRollup(db: Kysely<DB>, path: string[], year: number, scores: Record<string, number>): Promise<void> {
  const entries = Object.entries(scores);
  if (!entries.length) return;
  await sql`
    insert into assessment_rollup (org_id, year, commitment_id, score_sum, campaigns)
    select o.org_id, ${year}::int, s.commitment_id, s.score, 1
    from unnest(${path}::uuid[]) as o(org_id)
    cross join unnest(${entries.map((e) => e[0])}::text[], ${entries.map((e) => e[1])}::numeric[]) as s(commitment_id, score)
    -- In the key's order, as every rollup writer (test/rollup-lock-order.db.test.ts): ancestors' rows are shared.
    order by o.org_id, s.commitment_id
    on conflict (org_id, year, commitment_id) do update set
      score_sum = assessment_rollup.score_sum + excluded.score_sum,
      campaigns = assessment_rollup.campaigns + excluded.campaigns`.execute(db);
}

/** The signed scores of every organisation of a scope for a year (each row holds its whole subtree), in one read. */
export async function rollupInScope(db: Kysely<DB>, scope: OrgScope, year: number) {
  const rows = await db
    .selectFrom("assessment_rollup")
    .select(["org_id", "commitment_id", "score_sum", "campaigns"])
    .where(inScopeSql("org_id", scope))
    .where("year", "=", year)
    .where("campaigns", ">", 0)
    .orderBy("commitment_id")
    .execute();
  return rows.map((r) => ({
    orgId: r.org_id,
    commitmentId: r.commitment_id,
    mean: Math.round((Number(r.score_sum) / r.campaigns) * 10) / 10,
    campaigns: r.campaigns,
  }));
}

export async function rollupOf(
  db: Kysely<DB>,
  orgId: string,
  year: number,
): Promise<Array<{ commitmentId: string; mean: number; campaigns: number }>> {
  const rows = await db
    .selectFrom("assessment_rollup")
    .select(["commitment_id", "score_sum", "campaigns"])
    .where("org_id", "=", orgId)
    .where("year", "=", year)
    .orderBy("commitment_id")
    .execute();
  return rows
    .filter((r) => r.campaigns > 0)
    .map((r) => ({
      commitmentId: r.commitment_id,
      mean: Math.round((Number(r.score_sum) / r.campaigns) * 10) / 10,
      campaigns: r.campaigns,
    }));
}

export async function evidenceOf(db: Kysely<DB>, orgId: string, assessmentId: string): Promise<EvidenceRow[]> {
  const rows = await db
    .selectFrom("assessment_evidence")
    .select(["id", "requirement_id", "file_name", "content_type", "size", "created_by_label", "created_at"])
    .where("org_id", "=", orgId)
    .where("assessment_id", "=", assessmentId)
    .orderBy("created_at")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    requirementId: r.requirement_id,
    fileName: r.file_name,
    contentType: r.content_type,
    size: r.size,
    createdByLabel: r.created_by_label,
    createdAt: r.created_at,
  }));
}

export async function insertEvidence(
  db: Kysely<DB>,
  orgId: string,
  input: { assessmentId: string; requirementId: string; fileName: string; contentType: string; data: Buffer; byLabel: string },
): Promise<string> {
  const { id } = await db
    .insertInto("assessment_evidence")
    .values({
      org_id: orgId,
      assessment_id: input.assessmentId,
      requirement_id: input.requirementId,
      file_name: input.fileName,
      content_type: input.contentType,
      size: input.data.length,
      data: input.data,
      created_by_label: input.byLabel,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

export async function countEvidence(db: Kysely<DB>, orgId: string, assessmentId: string, requirementId: string): Promise<number> {
  const row = await db
    .selectFrom("assessment_evidence")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("org_id", "=", orgId)
    .where("assessment_id", "=", assessmentId)
    .where("requirement_id", "=", requirementId)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function evidenceFile(
  db: Kysely<DB>,
  orgId: string,
  assessmentId: string,
  id: string,
): Promise<{ fileName: string; contentType: string; data: Uint8Array; requirementId: string } | undefined> {
  const row = await db
    .selectFrom("assessment_evidence")
    .select(["file_name", "content_type", "data", "requirement_id"])
    .where("org_id", "=", orgId)
    .where("assessment_id", "=", assessmentId)
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? { fileName: row.file_name, contentType: row.content_type, data: row.data, requirementId: row.requirement_id } : undefined;
}

export async function deleteEvidence(db: Kysely<DB>, orgId: string, assessmentId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom("assessment_evidence")
    .where("org_id", "=", orgId)
    .where("assessment_id", "=", assessmentId)
    .where("id", "=", id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** A cursor of the campaign list of a node: the year, the site's name and id of the row a page starts after. */
export type CampaignKey = [number, string, string];

/**
 * Campaigns of a node's whole subtree with their site's name (issue #13): newest year first, then by
 * site, a page at a time by keyset; the year negated so one row comparison walks both directions.
 */
export async function subtreeCampaigns(
  db: Kysely<DB>,
  root: string,
  f: { siteName?: string | undefined; after?: CampaignKey | undefined; limit: number },
) {
  const orgName = organisationNameSql("a.org_id");
  let q = db.selectFrom("assessments as a").where(inSubtreeSql("a.org_id", root));
  if (f.siteName) q = q.where(nameContainsSql("a.org_id", f.siteName));
  const total = (await q.select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow()).n;
  let page = q.select([
    "a.org_id",
    orgName.as("org_name"),
    "a.id",
    "a.year",
    "a.framework_id",
    "a.status",
    "a.overall_score",
    "a.commitment_scores",
    "a.signed_by_label",
    "a.signed_at",
    "a.version",
    "a.created_at",
  ]);
  if (f.after) {
    const [year, name, orgId] = f.after;
    page = page.where(sql<boolean>`(-a.year, ${orgName}, a.org_id) > (${-year}::int, ${name}::text, ${orgId}::uuid)`);
  }
  const rows = await page
    .orderBy(sql`-a.year`)
    .orderBy(orgName)
    .orderBy("a.org_id")
    .limit(f.limit + 1)
    .execute();
  return {
    campaigns: rows.slice(0, f.limit).map((r) => ({ ...toCampaign(r), orgName: r.org_name })),
    total,
    more: rows.length > f.limit,
  };
}

/** The sites under `root` whose self-assessment for the year is signed: one query, whatever their number. */
export async function sitesAssessedIn(db: Kysely<DB>, root: string, year: number): Promise<string[]> {
  const rows = await db
    .selectFrom("assessments")
    .select("org_id")
    .distinct()
    .where(inScopeSql("org_id", { of: root, depth: "sites" }))
    .where("year", "=", year)
    .where("status", "=", "signed")
    .execute();
  return rows.map((r) => r.org_id);
}
