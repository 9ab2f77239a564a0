import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { decodeCursor, encodeCursor, isUuid } from "../../kernel/cursor.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { closestIn, organisationCommitments, searchCommitments } from "../frameworks/frameworks.service.ts";
import { byOrg, mapGroups } from "../indicators/by-org.ts";
import type { IndicatorBatchSource, IndicatorSource, IndicatorValue, Period } from "../indicators/indicator.ts";
import { organisationPath } from "../organisations/organisations.service.ts";
import * as repo from "./assessments.repository.ts";
import type { CommitmentAnswers } from "./assessments.schema.ts";
import { type CommitmentScore, commitmentScores, type ItemStatus, isItemStatus, overallScore, scoreChange } from "./score.ts";

/** Self-assessment campaigns: the module's public surface. */
export type { CampaignRow, EvidenceRow } from "./assessments.repository.ts";

export interface Campaign extends repo.CampaignRow {
  signed: boolean;
}

export interface CampaignItem extends repo.ItemRow {
  status: ItemStatus | null;
}

export interface CampaignCommitment {
  /** 1-based place in the campaign: commitment ids hold slashes, so pages are addressed by this. */
  index: number;
  id: string;
  number: number | null;
  title: string;
  items: CampaignItem[];
  score: CommitmentScore;
  lastYear: number | null;
  change: number | null;
  /** Last year's commitments this score is compared with, when last year's campaign followed another framework. */
  lastYearFrom: string[] | null;
}

export interface CampaignDetails {
  campaign: Campaign;
  commitments: CampaignCommitment[];
  overall: number | null;
  lastYear: { year: number; overall: number | null; signed: boolean } | null;
  overallChange: number | null;
  answered: number;
  total: number;
  evidence: repo.EvidenceRow[];
}

/** Evidence files: 5 MB each, 10 per requirement. Kept in the database (see README). */
export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;
export const MAX_EVIDENCE_PER_ITEM = 10;

const toCampaign = (row: repo.CampaignRow): Campaign => ({ ...row, signed: row.status === "signed" });

export async function listCampaigns(db: Kysely<DB>, orgId: string): Promise<Campaign[]> {
  return (await repo.listCampaigns(db, orgId)).map(toCampaign);
}

/** A campaign as the list of a node shows it: with the site it belongs to. */
export interface ListedCampaign extends Campaign {
  orgName: string;
}

export const CAMPAIGN_PAGE_SIZE = 50;

/** The campaigns of a node's whole subtree (a network lists every site's), filtered by site name, by keyset pages. */
export async function listSubtreeCampaigns(
  db: Kysely<DB>,
  rootId: string,
  input: { site?: string | undefined; after?: string | undefined },
): Promise<{ campaigns: ListedCampaign[]; total: number; next: string | undefined }> {
  const after = input.after
    ? decodeCursor<repo.CampaignKey>(
        input.after,
        (k) =>
          Array.isArray(k) && k.length === 3 && Number.isInteger(k[0]) && typeof k[1] === "string" && k[1].length <= 200 && isUuid(k[2]),
      )
    : undefined;
  const { campaigns, total, more } = await repo.subtreeCampaigns(db, rootId, { siteName: input.site, after, limit: CAMPAIGN_PAGE_SIZE });
  const last = campaigns.at(-1);
  return {
    campaigns: campaigns.map((c) => ({ ...toCampaign(c), orgName: c.orgName })),
    total,
    next: more && last ? encodeCursor([last.year, last.orgName, last.orgId]) : undefined,
  };
}

export async function getCampaign(db: Kysely<DB>, orgId: string, id: string): Promise<Campaign> {
  const row = await repo.findCampaign(db, orgId, id);
  if (!row) throw new AppError("assessment.not_found");
  return toCampaign(row);
}

/** A campaign of the given year, if the organisation has one. */
export async function campaignOfYear(db: Kysely<DB>, orgId: string, year: number): Promise<Campaign | undefined> {
  const row = await repo.findCampaignOfYear(db, orgId, year);
  return row ? toCampaign(row) : undefined;
}

/**
 * Opens the campaign of a year, copying the requirements of the framework in force and one
 * requirement per local commitment, so a later change of framework leaves it as it was answered.
 */
export async function createCampaign(db: Kysely<DB>, actor: Actor, orgId: string, year: number): Promise<Campaign> {
  const { framework, commitments } = await organisationCommitments(db, orgId);
  if (!commitments.length) {
    throw new AppError("validation", {
      fields: { year: "Cette organisation n'a pas encore de référentiel ni d'engagement local : choisissez d'abord ses engagements." },
    });
  }
  const frameworkIds = commitments.filter((c) => c.source === "framework").map((c) => c.id);
  const details = frameworkIds.length ? await searchCommitments(db, { ids: frameworkIds }) : [];
  const items: Parameters<typeof repo.insertCampaign>[2]["items"] = [];
  for (const c of commitments) {
    const requirements =
      c.source === "local"
        ? [{ id: `local:${c.id}`, text: `L'engagement local est tenu : ${c.title}` }]
        : (details.find((d) => d.id === c.id)?.requirements ?? []);
    const list = requirements.length ? requirements : [{ id: `${c.id}:engagement`, text: "L'engagement est respecté." }];
    for (const r of list) {
      items.push({
        requirementId: r.id,
        position: items.length + 1,
        commitmentId: c.id,
        commitmentNumber: c.number,
        commitmentTitle: c.title,
        requirementText: r.text,
      });
    }
  }
  return db.transaction().execute(async (trx) => {
    const id = await repo.insertCampaign(trx, orgId, { year, frameworkId: framework?.id ?? null, items });
    if (!id) throw new AppError("validation", { fields: { year: `Une auto-évaluation ${year} existe déjà pour cette organisation.` } });
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "create",
      entity: "assessment",
      entityId: id,
      after: { year, frameworkId: framework?.id ?? null, requirements: items.length },
    });
    return getCampaign(trx, orgId, id);
  });
}

function scoresRecord(scores: Map<string, CommitmentScore>): Record<string, number | null> {
  return Object.fromEntries([...scores].map(([id, s]) => [id, s.score]));
}

function storedScores(value: unknown): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === "number" ? v : null;
  return out;
}

const asItem = (row: repo.ItemRow): CampaignItem => ({ ...row, status: isItemStatus(row.status) ? row.status : null });

export async function campaignDetails(db: Kysely<DB>, orgId: string, id: string): Promise<CampaignDetails> {
  const campaign = await getCampaign(db, orgId, id);
  const [items, evidence, previous] = await Promise.all([
    repo.itemsOf(db, orgId, id),
    repo.evidenceOf(db, orgId, id),
    repo.findCampaignOfYear(db, orgId, campaign.year - 1),
  ]);
  const scored = items.map(asItem);
  const scores = commitmentScores(scored);
  const before = previous ? storedScores(previous.commitmentScores) : {};
  const previousFramework = Object.keys(before)[0]?.split("/")[0];
  const commitments: CampaignCommitment[] = [];
  for (const item of scored) {
    let c = commitments.find((x) => x.id === item.commitmentId);
    if (!c) {
      let lastYear = before[item.commitmentId] ?? null;
      let lastYearFrom: string[] | null = null;
      // The service changed framework between the two campaigns: compare with the commitments the
      // mapping says carry the same promise (mean of their scores), and say which ones.
      if (!(item.commitmentId in before) && previousFramework && !item.commitmentId.startsWith(`${previousFramework}/`)) {
        const ids = (await closestIn(db, item.commitmentId, previousFramework)).filter((id) => before[id] != null);
        if (ids.length) {
          lastYearFrom = ids;
          lastYear = Math.round((10 * ids.reduce((sum, id) => sum + (before[id] ?? 0), 0)) / ids.length) / 10;
        }
      }
      const score = scores.get(item.commitmentId) ?? { score: null, answered: 0, total: 0 };
      c = {
        index: commitments.length + 1,
        id: item.commitmentId,
        number: item.commitmentNumber,
        title: item.commitmentTitle,
        items: [],
        score,
        lastYear,
        change: scoreChange(score.score, lastYear),
        lastYearFrom,
      };
      commitments.push(c);
    }
    c.items.push(item);
  }
  const overall = overallScore(scores.values());
  return {
    campaign,
    commitments,
    overall,
    lastYear: previous ? { year: previous.year, overall: previous.overallScore, signed: previous.status === "signed" } : null,
    overallChange: scoreChange(overall, previous?.overallScore),
    answered: scored.filter((i) => i.status !== null).length,
    total: scored.length,
    evidence,
  };
}

/** The campaign's row, locked for the transaction, refused once signed. */
async function openForWriting(db: Kysely<DB>, orgId: string, id: string): Promise<repo.CampaignRow> {
  const row = await repo.lockCampaign(db, orgId, id);
  if (!row) throw new AppError("assessment.not_found");
  if (row.status === "signed") throw new AppError("assessment.locked");
  return row;
}

async function refreshScores(db: Kysely<DB>, orgId: string, id: string): Promise<void> {
  const scores = commitmentScores((await repo.itemsOf(db, orgId, id)).map(asItem));
  await repo.saveScores(db, orgId, id, overallScore(scores.values()), scoresRecord(scores));
}

/**
 * Saves the answers of one commitment, all or nothing: each requirement carries the version its form
 * showed, and one that changed meanwhile refuses the whole save (409), the form shown again as typed.
 */
export async function saveCommitmentAnswers(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  id: string,
  index: number,
  answers: CommitmentAnswers,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await openForWriting(trx, orgId, id);
    const details = await campaignDetails(trx, orgId, id);
    const commitment = details.commitments.find((c) => c.index === index);
    if (!commitment) throw new AppError("assessment.not_found");
    const author = auditActor(actor);
    for (const item of commitment.items) {
      const answer = answers.find((a) => a.requirementId === item.requirementId);
      if (!answer) continue;
      const after = { status: answer.status ?? null, comment: answer.comment ?? null, links: answer.links };
      const before = { status: item.status, comment: item.comment, links: item.links };
      if (JSON.stringify(after) === JSON.stringify(before) && answer.version === item.version) continue;
      if (!(await repo.updateItem(trx, orgId, id, item.requirementId, answer.version, { ...after, byLabel: actor.displayName }))) {
        throw new AppError("assessment.stale");
      }
      await recordAudit(trx, author, {
        orgId,
        action: "update",
        entity: "assessment_item",
        entityId: `${id}/${item.requirementId}`,
        before,
        after,
      });
    }
    await refreshScores(trx, orgId, id);
  });
}

export async function addEvidence(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  id: string,
  input: { requirementId: string; fileName: string; data: Buffer },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await openForWriting(trx, orgId, id);
    const items = await repo.itemsOf(trx, orgId, id);
    if (!items.some((i) => i.requirementId === input.requirementId)) throw new AppError("assessment.not_found");
    if ((await repo.countEvidence(trx, orgId, id, input.requirementId)) >= MAX_EVIDENCE_PER_ITEM) {
      throw new AppError("validation", { fields: { file: `Une exigence porte au plus ${MAX_EVIDENCE_PER_ITEM} pièces.` } });
    }
    const fileName = safeFileName(input.fileName);
    const evidenceId = await repo.insertEvidence(trx, orgId, {
      assessmentId: id,
      requirementId: input.requirementId,
      fileName,
      contentType: contentTypeOf(fileName),
      data: input.data,
      byLabel: actor.displayName,
    });
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "create",
      entity: "assessment_evidence",
      entityId: evidenceId,
      after: { assessmentId: id, requirementId: input.requirementId, fileName, size: input.data.length },
    });
  });
}

/** Removes a file; one already removed (a second click, another tab) is no error: it is gone either way. */
export async function removeEvidence(db: Kysely<DB>, actor: Actor, orgId: string, id: string, evidenceId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await openForWriting(trx, orgId, id);
    const file = await repo.evidenceFile(trx, orgId, id, evidenceId);
    if (!file || !(await repo.deleteEvidence(trx, orgId, id, evidenceId))) return;
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "delete",
      entity: "assessment_evidence",
      entityId: evidenceId,
      before: { assessmentId: id, requirementId: file.requirementId, fileName: file.fileName },
    });
  });
}

export async function evidenceFile(db: Kysely<DB>, orgId: string, id: string, evidenceId: string) {
  const file = await repo.evidenceFile(db, orgId, id, evidenceId);
  if (!file) throw new AppError("assessment.not_found");
  return file;
}

/** A name to show and download under: no path, no control character, 200 characters at most. */
export function safeFileName(name: string): string {
  const clean = [...name].map((ch) => (ch === "/" || ch === "\\" || ch.charCodeAt(0) < 32 ? "_" : ch)).join("");
  return clean.slice(0, 200) || "piece";
}

/** Only formats a browser shows safely, or downloads; anything else is served as a download. */
const TYPES: Record<string, string> = {
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  txt: "text/plain; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  odt: "application/vnd.oasis.opendocument.text",
  ods: "application/vnd.oasis.opendocument.spreadsheet",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};
export function contentTypeOf(fileName: string): string {
  return TYPES[fileName.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream";
}

/**
 * The referent signs the campaign: every requirement must have an answer. The campaign is locked
 * for good and its scores join the rollup of the organisation and its ancestors (a network reads
 * the mean of its signed campaigns).
 */
export async function signCampaign(db: Kysely<DB>, actor: Actor, orgId: string, id: string, version: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await openForWriting(trx, orgId, id);
    const details = await campaignDetails(trx, orgId, id);
    const missing = details.total - details.answered;
    if (missing > 0) {
      throw new AppError("validation", {
        fields: {
          _: `${missing} exigence${missing > 1 ? "s restent" : " reste"} sans réponse : la campagne ne peut pas encore être signée.`,
        },
      });
    }
    if (row.version !== version || !(await repo.markSigned(trx, orgId, id, version, auditActor(actor)))) {
      throw new AppError("assessment.stale");
    }
    const scores: Record<string, number> = {};
    for (const c of details.commitments) if (c.score.score !== null) scores[c.id] = c.score.score;
    if (details.overall !== null) scores[OVERALL] = details.overall;
    const path = await organisationPath(trx, orgId);
    await repo.addToRollup(trx, path ?? [orgId], row.year, scores);
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "assessment",
      entityId: id,
      before: { status: "open" },
      after: { status: "signed", overall: details.overall },
    });
  });
}

/** The commitments that promise a regular self-assessment, in each framework. */
const SELF_ASSESSMENT_COMMITMENTS = ["sp+2023/7", "sp+2021/8", "marianne-2016/12", "marianne-2008/17", "marianne-2008/18"];

/** The rollup line of the overall score. */
const OVERALL = "*";

/**
 * Signed self-assessments of the subtree, for the year the period ends in: the mean score per
 * commitment (`assessments.score`, 0–100) and overall (`assessments.overall`), read from the rollup.
 */
export const assessmentIndicatorSource: IndicatorSource = async (db: Kysely<DB>, orgId: string, period: Period) =>
  assessmentValues(await repo.rollupOf(db, orgId, Number(period.to.slice(0, 4))));

/** The same for every organisation of a scope: one read of their rollup rows, grouped here. */
export const assessmentIndicatorBatch: IndicatorBatchSource = async (db, scope, period) => {
  const rows = await repo.rollupInScope(db, scope, Number(period.to.slice(0, 4)));
  return mapGroups(
    byOrg(rows, (r) => r.orgId),
    (list) => assessmentValues(list),
  );
};

function assessmentValues(rows: Array<{ commitmentId: string; mean: number; campaigns: number }>): IndicatorValue[] {
  return rows.map(
    (r): IndicatorValue => ({
      key: r.commitmentId === OVERALL ? "assessments.overall" : "assessments.score",
      label: r.commitmentId === OVERALL ? "Score global d'auto-évaluation" : "Score d'auto-évaluation de l'engagement",
      unit: "score",
      value: r.mean,
      target: null,
      better: "higher",
      sample: r.campaigns,
      // The overall score answers the commitments to evaluate one's own practice.
      commitments: r.commitmentId === OVERALL ? SELF_ASSESSMENT_COMMITMENTS : [r.commitmentId],
      channel: null,
    }),
  );
}

/** The sites under `root` whose self-assessment for `year` is signed (the yearly obligations view). */
export const sitesAssessedIn = repo.sitesAssessedIn;
