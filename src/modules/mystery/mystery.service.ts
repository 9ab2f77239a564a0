import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import type { Channel } from "../frameworks/channels.ts";
import { byOrg, mapGroups } from "../indicators/by-org.ts";
import type { IndicatorBatchSource, IndicatorSource, IndicatorValue } from "../indicators/indicator.ts";
import { subtree } from "../organisations/organisations.service.ts";
import { type Answer, type CampaignScores, campaignScores, checkAnswers, gridFor, loadGrids } from "./grids.ts";
import * as repo from "./mystery.repository.ts";
import type { CampaignInput } from "./mystery.schema.ts";

/** The mystery-shopper module's public surface: campaigns, tests entered by testers, scores. */
export { loadGrids };

const notFound = () => new AppError("http.not_found", { message: "Campagne introuvable." });

export async function createCampaign(db: Kysely<DB>, actor: Actor, orgId: string, input: CampaignInput): Promise<string> {
  const within = new Set((await subtree(db, orgId)).map((o) => o.id));
  const outside = input.sites.filter((s) => !within.has(s));
  if (outside.length) throw new AppError("validation", { fields: { sites: "Un site choisi n'est pas rattaché à cette organisation." } });
  return db.transaction().execute(async (trx) => {
    const id = await repo.insertCampaign(trx, orgId, {
      title: input.title,
      startsOn: input.startsOn,
      endsOn: input.endsOn,
      channels: input.channels,
      siteIds: [...new Set(input.sites)],
    });
    await recordAudit(trx, auditActor(actor), { orgId, action: "create", entity: "mystery_campaign", entityId: id, after: input });
    return id;
  });
}

export const listCampaigns = repo.listCampaigns;

export async function getCampaign(db: Kysely<DB>, orgId: string, campaignId: string) {
  const campaign = await repo.findCampaign(db, orgId, campaignId);
  if (!campaign) throw notFound();
  return campaign;
}
export type Campaign = Awaited<ReturnType<typeof getCampaign>>;

/** Records a tester's results; the rollup of the site and its ancestors moves in the same transaction. */
export async function recordTest(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  campaignId: string,
  input: { channel: Channel; site: string; testedOn: string; tester: string; comment: string; answers: Record<string, unknown> },
): Promise<string> {
  const campaign = await getCampaign(db, orgId, campaignId);
  const errors: Record<string, string> = {};
  if (!campaign.channels.includes(input.channel)) errors.channel = "Ce canal ne fait pas partie de la campagne.";
  const site = campaign.sites.find((s) => s.id === input.site);
  if (!site) errors.site = "Ce site ne fait pas partie de la campagne.";
  if (input.testedOn < campaign.starts_on || input.testedOn > campaign.ends_on) {
    errors.testedOn = `La date doit être dans la période de la campagne (du ${campaign.starts_on} au ${campaign.ends_on}).`;
  }
  const grid = gridFor(input.channel);
  const checked = checkAnswers(grid, input.answers);
  if (!checked.ok) Object.assign(errors, checked.errors);
  if (Object.keys(errors).length || !site || !checked.ok) throw new AppError("validation", { fields: errors });
  return db.transaction().execute(async (trx) => {
    const id = await repo.insertTest(trx, orgId, {
      campaignId,
      siteId: site.id,
      channel: input.channel,
      gridId: grid.id,
      gridVersion: grid.version,
      testedOn: input.testedOn,
      tester: input.tester,
      answers: checked.answers,
      comment: input.comment,
      createdBy: actor.accountId,
    });
    await repo.applyRollup(trx, site.path, `${input.testedOn.slice(0, 7)}-01`, input.channel, checked.answers);
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "create",
      entity: "mystery_test",
      entityId: id,
      after: { campaignId, site: site.id, channel: input.channel, answers: checked.answers },
    });
    return id;
  });
}

export interface CampaignResults {
  campaign: Campaign;
  tests: number;
  scores: CampaignScores;
}

/** A campaign's scores, read from its tests (a campaign holds a bounded number of them). */
export async function campaignResults(db: Kysely<DB>, orgId: string, campaignId: string): Promise<CampaignResults> {
  const campaign = await getCampaign(db, orgId, campaignId);
  const rows = await repo.campaignTests(db, orgId, campaignId);
  const tests = rows.map((r) => ({ siteId: r.site_id, channel: r.channel as Channel, answers: r.answers as Record<string, Answer> }));
  return { campaign, tests: rows.length, scores: campaignScores(tests) };
}

/** Score per channel over a period, from the rollup, tied to the commitments of the grid's criteria. */
export const mysteryIndicators: IndicatorSource = async (db, orgId, period) =>
  mysteryValues(await repo.rollupRows(db, orgId, `${period.from.slice(0, 7)}-01`, `${period.to.slice(0, 7)}-01`));

/** The same for every organisation of a scope: one read of their rollup rows, grouped here. */
export const mysteryIndicatorBatch: IndicatorBatchSource = async (db, scope, period) => {
  const rows = await repo.rollupRowsInScope(db, scope, `${period.from.slice(0, 7)}-01`, `${period.to.slice(0, 7)}-01`);
  return mapGroups(
    byOrg(rows, (r) => r.org_id),
    (list) => mysteryValues(list),
  );
};

function mysteryValues(rows: Array<{ channel: string; passed: number; failed: number }>): IndicatorValue[] {
  const values: IndicatorValue[] = [];
  for (const grid of loadGrids()) {
    const mine = rows.filter((r) => r.channel === grid.channel);
    const passed = mine.reduce((n, r) => n + r.passed, 0);
    const failed = mine.reduce((n, r) => n + r.failed, 0);
    if (passed + failed === 0) continue;
    values.push({
      key: `mystery.score_${grid.channel}`,
      label: `Score des tests mystère — ${grid.title.toLowerCase()}`,
      unit: "score",
      value: (passed / (passed + failed)) * 100,
      target: null,
      better: "higher",
      sample: passed + failed,
      commitments: [...new Set(grid.criteria.flatMap((c) => c.commitments))].sort(),
      channel: grid.channel,
    });
  }
  return values;
}
