import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { OrgScope } from "../indicators/indicator.ts";
import { inScopeSql, organisationNameSql, organisationPathSql } from "../organisations/organisations.service.ts";
import type { Answer } from "./grids.ts";

/** Kysely queries of mystery-shopper campaigns; every function takes the organisation id first. */
export async function insertCampaign(
  db: Kysely<DB>,
  orgId: string,
  input: { title: string; startsOn: string; endsOn: string; channels: string[]; siteIds: string[] },
): Promise<string> {
  const mdb = db;
  const { id } = await mdb
    .insertInto("mystery_campaigns")
    .values({ org_id: orgId, title: input.title, starts_on: input.startsOn, ends_on: input.endsOn, channels: input.channels })
    .returning("id")
    .executeTakeFirstOrThrow();
  await mdb
    .insertInto("mystery_campaign_sites")
    .values(input.siteIds.map((site_id) => ({ org_id: orgId, campaign_id: id, site_id })))
    .execute();
  return id;
}

export async function listCampaigns(db: Kysely<DB>, orgId: string) {
  return db
    .selectFrom("mystery_campaigns as c")
    .selectAll("c")
    .select((eb) =>
      eb
        .selectFrom("mystery_tests as t")
        .select(sql<number>`count(*)::int`.as("n"))
        .whereRef("t.org_id", "=", "c.org_id")
        .whereRef("t.campaign_id", "=", "c.id")
        .as("tests"),
    )
    .where("c.org_id", "=", orgId)
    .orderBy("c.starts_on", "desc")
    .execute();
}

export async function findCampaign(db: Kysely<DB>, orgId: string, id: string) {
  const mdb = db;
  const campaign = await mdb
    .selectFrom("mystery_campaigns")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!campaign) return undefined;
  const name = organisationNameSql("s.site_id");
  const sites = await mdb
    .selectFrom("mystery_campaign_sites as s")
    .select(["s.site_id as id", name.as("name"), organisationPathSql("s.site_id").as("path")])
    .where("s.org_id", "=", orgId)
    .where("s.campaign_id", "=", id)
    .orderBy(name)
    .execute();
  return { ...campaign, sites };
}

export async function insertTest(
  db: Kysely<DB>,
  orgId: string,
  input: {
    campaignId: string;
    siteId: string;
    channel: string;
    gridId: string;
    gridVersion: number;
    testedOn: string;
    tester: string;
    answers: Record<string, Answer>;
    comment: string;
    createdBy: string | null;
  },
): Promise<string> {
  const { id } = await db
    .insertInto("mystery_tests")
    .values({
      org_id: orgId,
      campaign_id: input.campaignId,
      site_id: input.siteId,
      channel: input.channel,
      grid_id: input.gridId,
      grid_version: input.gridVersion,
      tested_on: input.testedOn,
      tester: input.tester,
      answers: JSON.stringify(input.answers),
      comment: input.comment,
      created_by: input.createdBy,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

export async function campaignTests(db: Kysely<DB>, orgId: string, campaignId: string) {
  return db
    .selectFrom("mystery_tests")
    .select(["id", "site_id", "channel", "tested_on", "tester", "answers", "comment"])
    .where("org_id", "=", orgId)
    .where("campaign_id", "=", campaignId)
    .orderBy("tested_on")
    .execute();
}

/** Adds a test's answers to the rollup of the site and each of its ancestors, in the test's transaction. */
export async function applyRollup(db: Kysely<DB>, path: string[], month: string, channel: string, answers: Record<string, Answer>) {
  const counted = Object.entries(answers).filter(([, a]) => a !== "na");
  if (counted.length === 0) return;
  await sql`
    insert into mystery_rollup (org_id, month, channel, criterion_id, passed, failed)
    select o, ${month}::date, ${channel}, c, p, f
    from unnest(${path}::uuid[]) as o
    cross join unnest(${counted.map(([c]) => c)}::text[], ${counted.map(([, a]) => (a === "yes" ? 1 : 0))}::int[], ${counted.map(([, a]) => (a === "no" ? 1 : 0))}::int[]) as x(c, p, f)
    -- In the key's order, as every rollup writer (test/rollup-lock-order.db.test.ts): ancestors' rows are shared.
    order by o, x.c
    on conflict (org_id, month, channel, criterion_id) do update set
      passed = mystery_rollup.passed + excluded.passed,
      failed = mystery_rollup.failed + excluded.failed`.execute(db);
}

/** The rollup rows of every organisation of a scope (each holds its whole subtree), in one read. */
export async function rollupRowsInScope(db: Kysely<DB>, scope: OrgScope, fromMonth: string, toMonth: string) {
  return db
    .selectFrom("mystery_rollup")
    .selectAll()
    .where(inScopeSql("org_id", scope))
    .where("month", ">=", fromMonth)
    .where("month", "<=", toMonth)
    .execute();
}

export async function rollupRows(db: Kysely<DB>, orgId: string, fromMonth: string, toMonth: string) {
  return db
    .selectFrom("mystery_rollup")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("month", ">=", fromMonth)
    .where("month", "<=", toMonth)
    .execute();
}
