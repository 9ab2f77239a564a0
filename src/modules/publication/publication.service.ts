import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Actor } from "../../kernel/roles.ts";
import { settingsCache, settingsEpoch } from "../../kernel/settings-epoch.ts";
import { INSTANCE_TIME_ZONE, localDay } from "../../kernel/time.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { closuresOf } from "../calendar/calendar.service.ts";
import { organisationCommitments } from "../frameworks/frameworks.service.ts";
import type { IndicatorValue, Period } from "../indicators/indicator.ts";
import { allIndicators, indicatorsInScope, settlePendingCounts } from "../indicators/sources.ts";
import { enqueue } from "../jobs/jobs.service.ts";
import { getPublicInfo, type PublicInfo } from "../opening-hours/opening-hours.service.ts";
import { getOrganisation, type Organisation } from "../organisations/organisations.service.ts";
import { publishedComments } from "../surveys/surveys.service.ts";
import type { ChunkSelection } from "./publication.repository.ts";
import * as repo from "./publication.repository.ts";
import { PUBLISHED_SET } from "./published-set.ts";

export type { OrgFigure, PublishedFigure } from "./publication.repository.ts";
export { PUBLISHED_SET } from "./published-set.ts";

/**
 * Published results: the figures of every organisation, computed once a day (and on demand) from the
 * indicator sources into `published_figures`, which is all the public page, the poster, the widget and
 * the open data ever read.
 */

/** The periods published: the current year to date and the whole previous year (SP+ asks for yearly results). */
export function publishedPeriods(today: string): Period[] {
  const year = Number(today.slice(0, 4));
  return [
    { from: `${year}-01-01`, to: today },
    { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` },
  ];
}

/** The publication runs for every organisation at once, on the instance's calendar (its nightly job). */
export function todayForPublication(now: Date): string {
  return localDay(INSTANCE_TIME_ZONE, now);
}

/** The month a publication belongs to: a new month republishes everyone (the year-to-date period moved on). */
export function publicationMonth(today: string): string {
  return today.slice(0, 7);
}

/**
 * Organisations per chunk job, about: a chunk is whole sibling groups (the due children of a few parents),
 * cut once it holds CHUNK_SIZE of them, so a parent with more due children stays one larger chunk. Its
 * figures come from the batch sources, a fixed number of queries per parent: a chunk takes seconds, well
 * inside the queue's five-minute lock, which the heartbeat extends anyway (docs/performance.md).
 */
export const CHUNK_SIZE = 200;
/** Sibling groups (and organisations of a group) a chunk handles side by side: each takes a connection of the pool. */
const CHUNK_CONCURRENCY = 3;
/**
 * Due children of a parent from which the batch sources are worth it: they compute every child of the
 * parent (a night where one site of a department changed would otherwise read its 50 siblings to write one).
 */
const BATCH_FROM = 2;

/** What a run publishes: a subtree or everything, only what changed (or the month rolled over), or all of it. */
export interface PublicationScope {
  rootId: string | null;
  /** Everything in scope, changed or not (« Publier maintenant »). */
  force: boolean;
  today: string;
}

/**
 * Writes one organisation's figures in one transaction with its state; its change mark goes only if no
 * rollup write came after `mark` was read (the trigger renumbers it).
 */
async function writeOne(
  db: Kysely<DB>,
  orgId: string,
  mark: string | null,
  scope: PublicationScope,
  figures: Array<[Period, IndicatorValue[]]>,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // The state row first: its lock makes two runs publishing the same organisation take turns.
    await repo.markPublished(trx, orgId, publicationMonth(scope.today), now);
    for (const [period, values] of figures) await repo.replaceFigures(trx, orgId, period, values, now);
    if (mark !== null) await repo.clearMark(trx, orgId, mark);
  });
}

/** Publishes one organisation from its single sources (≈ 50 queries per period): roots, and lone due children. */
async function publishOne(db: Kysely<DB>, org: repo.DueOrganisation, scope: PublicationScope, now: Date): Promise<void> {
  const figures = await Promise.all(
    publishedPeriods(scope.today).map(
      async (period): Promise<[Period, IndicatorValue[]]> => [period, await allIndicators(db, org.id, period)],
    ),
  );
  await writeOne(db, org.id, org.mark, scope, figures, now);
}

/**
 * Publishes the due children of one parent from the batch sources: per period one `indicatorsInScope` over
 * the parent's children (a fixed number of queries however many), then each due child written on its own.
 * Siblings that are not due are computed with the others and not written.
 */
async function publishSiblings(db: Kysely<DB>, parentId: string, due: repo.DueOrganisation[], scope: PublicationScope, now: Date) {
  const periods = publishedPeriods(scope.today);
  const maps = await Promise.all(periods.map((period) => indicatorsInScope(db, { of: parentId, depth: "children" }, period)));
  await inLanes(due, CHUNK_CONCURRENCY, (org) =>
    // A child absent from a batch's map has nothing to show there: its figures for the period are none.
    writeOne(
      db,
      org.id,
      org.mark,
      scope,
      periods.map((period, i): [Period, IndicatorValue[]] => [period, maps[i]?.get(org.id) ?? []]),
      now,
    ),
  );
}

/**
 * Runs `work` over the items, `lanes` at a time. A failure stops every lane before it is reported: no
 * write may outlive the job that failed.
 */
async function inLanes<T>(items: T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    for (let i = next++; i < items.length && !failed; i = next++) {
      const item = items[i];
      if (item === undefined) continue;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: lanes }, lane));
  const broken = settled.find((l) => l.status === "rejected");
  if (broken) throw broken.reason;
}

/**
 * Publishes the due organisations of `scope` that `selection` names (the children of the chunk's parents,
 * or all in scope); returns how many. Children of a parent with several due go through the batch sources;
 * roots and lone due children through their single sources. An old chunk payload (an id range, enqueued
 * before sibling chunks) is published organisation by organisation, as it was.
 */
export async function publishChunk(db: Kysely<DB>, scope: PublicationScope, selection: ChunkSelection, now = new Date()): Promise<number> {
  // Waiting counts added before the marks are read: their marks are then cleared by this very publication.
  await settlePendingCounts(db);
  const due = await repo.dueOrganisations(db, { ...scope, month: publicationMonth(scope.today) }, selection);
  const byParent = new Map<string | null, repo.DueOrganisation[]>();
  for (const org of due) byParent.set(org.parentId, [...(byParent.get(org.parentId) ?? []), org]);
  const tasks: Array<() => Promise<void>> = [];
  const byRange = selection !== null && !("parents" in selection);
  for (const [parentId, orgs] of byParent) {
    if (parentId !== null && orgs.length >= BATCH_FROM && !byRange) tasks.push(() => publishSiblings(db, parentId, orgs, scope, now));
    else for (const org of orgs) tasks.push(() => publishOne(db, org, scope, now));
  }
  await inLanes(tasks, CHUNK_CONCURRENCY, (task) => task());
  return due.length;
}

/** Recomputes at once the published figures of an organisation and everything below it. Returns how many organisations. */
export async function refreshPublication(db: Kysely<DB>, rootId: string, now = new Date()): Promise<number> {
  return publishChunk(db, { rootId, force: true, today: todayForPublication(now) }, null, now);
}

/** Every organisation of the instance at once, changed or not (the demo data, a fresh install). */
export async function refreshAllPublications(db: Kysely<DB>, now = new Date()): Promise<number> {
  return publishChunk(db, { rootId: null, force: true, today: todayForPublication(now) }, null, now);
}

export const CHUNK_JOB = "publication.chunk";

export interface PlannedRun {
  runId: string | null;
  organisations: number;
  chunks: number;
}

/**
 * Cuts sibling groups (in parent order) into chunks: a chunk closes once it holds `size` organisations, and
 * never splits a group, so each chunk names its parents (at most `size` of them) rather than a list of ids.
 */
export function cutAtParents(groups: Array<{ parent: string | null; due: number }>, size: number): Array<Array<string | null>> {
  const chunks: Array<Array<string | null>> = [];
  let current: Array<string | null> = [];
  let count = 0;
  for (const g of groups) {
    current.push(g.parent);
    count += g.due;
    if (count >= size) {
      chunks.push(current);
      current = [];
      count = 0;
    }
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/**
 * Plans a run: the organisations due (changed, never published, or published last month; or all in scope
 * when forced), counted by parent in one grouped read whatever the size of the tree, cut into chunks of
 * whole sibling groups of about CHUNK_SIZE, one job each naming its parents, enqueued with the run in one
 * transaction.
 */
export async function planPublication(
  db: Kysely<DB>,
  scope: PublicationScope,
  options: { now?: Date; chunkSize?: number } = {},
): Promise<PlannedRun> {
  const now = options.now ?? new Date();
  const chunkSize = options.chunkSize ?? CHUNK_SIZE;
  const month = publicationMonth(scope.today);
  // Counts still waiting beside the rollups mark nothing until added: added first, their organisations are due.
  await settlePendingCounts(db);
  const plan = await repo.dueByParent(db, { ...scope, month });
  if (plan.groups.length === 0) return { runId: null, organisations: 0, chunks: 0 };
  const total = plan.groups.reduce((n, g) => n + g.due, 0);
  const chunks = cutAtParents(plan.groups, chunkSize);
  const reason = scope.force ? "asked" : plan.monthly ? "month" : "changes";
  return db.transaction().execute(async (trx) => {
    const runId = await repo.insertRun(trx, { rootId: scope.rootId, month, reason, organisations: total, chunks: chunks.length, at: now });
    for (const [i, parents] of chunks.entries()) {
      await enqueue(trx, { name: CHUNK_JOB, payload: { ...scope, run: runId, parents }, dedupeKey: chunkKey(runId, i), runAt: now });
    }
    return { runId, organisations: total, chunks: chunks.length };
  });
}

/** The dedupe key of a run's chunk job: how the page finds the jobs of a run to tell their progress. */
export function chunkKey(runId: string, index: number): string {
  return `${CHUNK_JOB}:${runId}:${index + 1}`;
}

export interface PublicationStatus {
  publishedAt: Date | null;
  /** A rollup of this organisation changed since: the next run publishes it. */
  changedSince: boolean;
  /** The latest run covering this organisation, as its jobs say. */
  run: { startedAt: Date; organisations: number; chunks: number; done: number; failed: number; underWay: boolean } | null;
}

/** What the staff page shows: the last publication of this organisation and the run in progress, if any. */
export async function publicationStatus(db: Kysely<DB>, org: Organisation): Promise<PublicationStatus> {
  // « Changed since »: a registration still waiting to be counted is a change too.
  await settlePendingCounts(db);
  const [state, changedSince, run] = await Promise.all([repo.stateOf(db, org.id), repo.isMarked(db, org.id), repo.latestRun(db, org.path)]);
  let runStatus: PublicationStatus["run"] = null;
  if (run) {
    const keys = Array.from({ length: run.chunks }, (_, i) => chunkKey(run.id, i));
    const jobs = await repo.chunkProgress(db, keys);
    runStatus = {
      startedAt: run.startedAt,
      organisations: run.organisations,
      chunks: run.chunks,
      done: jobs.done,
      failed: jobs.failed,
      underWay: jobs.done + jobs.failed < run.chunks,
    };
  }
  return { publishedAt: state?.publishedAt ?? null, changedSince, run: runStatus };
}

export interface PublishNowResult {
  organisations: number;
  /** Too many organisations to wait for: chunk jobs were enqueued and the page follows them. */
  queued: boolean;
}

/**
 * "Publish now": a subtree that fits in a chunk is published before the answer; a larger one becomes a
 * run of chunk jobs (a network of 5,000 sites would outlast the request). Said in the audit log.
 */
export async function publishNow(db: Kysely<DB>, actor: Actor, orgId: string, now = new Date()): Promise<PublishNowResult> {
  const org = await getOrganisation(db, orgId);
  const scope: PublicationScope = { rootId: org.id, force: true, today: todayForPublication(now) };
  const size = await repo.subtreeSize(db, org.id, CHUNK_SIZE + 1);
  let result: PublishNowResult;
  if (size <= CHUNK_SIZE) {
    result = { organisations: await publishChunk(db, scope, null, now), queued: false };
  } else {
    result = { organisations: (await planPublication(db, scope, { now })).organisations, queued: true };
  }
  await recordAudit(db, auditActor(actor), {
    orgId,
    action: "update",
    entity: "publication",
    entityId: orgId,
    after: { organisations: result.organisations, queued: result.queued },
  });
  return result;
}

// ---- Seams for the modules being built in parallel ----

/** An action of the action plan shown to the public (#7). */
export interface PublicAction {
  title: string;
  status: "to_start" | "in_progress" | "done";
  /** When it is expected to be done, if said. */
  dueOn?: string | null;
}
export type PublicActionSource = (db: Kysely<DB>, orgId: string) => Promise<PublicAction[]>;
/**
 * The action plans' public actions: #7 adds its source here (one line). Empty: the page shows no
 * actions section at all.
 */
export const PUBLIC_ACTION_SOURCES: PublicActionSource[] = [];

/** A free-text comment the public may read: only comments moderated to remove personal data (#5). */
export interface PublicComment {
  text: string;
  on: string;
}
export type PublicCommentSource = (db: Kysely<DB>, orgId: string) => Promise<PublicComment[]>;
export const PUBLIC_COMMENT_SOURCES: PublicCommentSource[] = [
  async (db, orgId) => (await publishedComments(db, orgId, 10)).map((c) => ({ text: c.text, on: c.answeredOn })),
];

// ---- What the public reads ----

export interface PublishedLine {
  key: string;
  label: string;
  unit: PublishedFigureUnit;
  value: number | null;
  sample: number;
  low: number | null;
  high: number | null;
  target: number | null;
  better: "higher" | "lower";
  previous: number | null;
  commitments: string[];
}
type PublishedFigureUnit = repo.PublishedFigure["unit"];

export interface PublishedResults {
  org: Organisation;
  period: Period | null;
  previousPeriod: Period | null;
  computedAt: Date | null;
  /** The SP+ set, in its fixed order, with nulls where no figure exists yet. */
  headline: Array<(typeof PUBLISHED_SET)[number] & { figure: PublishedLine | null }>;
  /** Every other published figure (all channels together), grouped by the adopted framework's commitments. */
  byCommitment: Array<{ id: string | null; number: number | null; title: string; figures: PublishedLine[] }>;
  framework: { id: string; name: string } | null;
  info: PublicInfo;
  closures: Array<{ day: string; label: string }>;
  actions: PublicAction[];
  comments: PublicComment[];
  children: Array<{ id: string; name: string; kind: string }>;
}

/**
 * One figure per key: the all-channels one, or else the figure of the only channel that has it (the
 * answer rate is a phone figure, online procedures a web one: they have no all-channels row).
 */
function onePerKey(figures: repo.PublishedFigure[]): repo.PublishedFigure[] {
  const byKey = new Map<string, repo.PublishedFigure[]>();
  for (const f of figures) byKey.set(f.key, [...(byKey.get(f.key) ?? []), f]);
  return [...byKey.values()].flatMap((list) => {
    const all = list.find((f) => f.channel === null);
    if (all) return [all];
    return list.length === 1 ? list : [];
  });
}

function lines(figures: repo.PublishedFigure[], previous: repo.PublishedFigure[]): PublishedLine[] {
  const before = new Map(onePerKey(previous).map((f) => [f.key, f.value]));
  return onePerKey(figures).map((f) => ({
    key: f.key,
    label: f.label,
    unit: f.unit,
    value: f.value,
    sample: f.sample,
    low: f.low,
    high: f.high,
    target: f.target,
    better: f.better,
    previous: before.get(f.key) ?? null,
    commitments: f.commitments,
  }));
}

/*
 * The public page is the hottest read (a phone for every visitor). What it shows of the organisation's
 * settings — itself, its hours and access, its framework's commitments, its closures, the sites below —
 * changes when someone edits it, not with each visit: kept while the settings epoch stays
 * (kernel/settings-epoch.ts), on every server. The published figures, comments and feedback are read each time.
 */
const pageOrgs = settingsCache<Organisation>();
const pageSettings = settingsCache<{
  info: PublicInfo;
  commitments: Awaited<ReturnType<typeof organisationCommitments>>;
  closures: Awaited<ReturnType<typeof closuresOf>>;
  children: Awaited<ReturnType<typeof repo.childrenOf>>;
}>();

/** The latest published period of an organisation and the one before, as the public page shows them. */
export async function publishedResults(db: Kysely<DB>, orgId: string, now = new Date()): Promise<PublishedResults> {
  const epoch = await settingsEpoch(db);
  const [org, figures] = await Promise.all([pageOrgs.get(db, epoch, orgId, () => getOrganisation(db, orgId)), repo.figuresOf(db, orgId)]);
  const { info, commitments, closures, children } = await pageSettings.get(
    db,
    epoch,
    // The hours are shown for the organisation's today: a new day, a new entry.
    `${orgId} ${localDay(org.timeZone, now)}`,
    async () => {
      const [info, commitments, closures, children] = await Promise.all([
        // The organisation and its path just read: each query sent once.
        getPublicInfo(db, orgId, now, org),
        organisationCommitments(db, orgId, org.path),
        closuresOf(db, org.path),
        repo.childrenOf(db, orgId),
      ]);
      return { info, commitments, closures, children };
    },
  );
  const periods = [...new Set(figures.map((f) => f.periodFrom))];
  const latest = figures.filter((f) => f.periodFrom === periods[0]);
  const prior = figures.filter((f) => f.periodFrom === periods[1]);
  const current = lines(latest, prior);
  const first = latest[0];
  const second = prior[0];
  const headlineKeys = new Set(PUBLISHED_SET.map((p) => p.key));
  const others = current.filter((l) => !headlineKeys.has(l.key));
  const groups: PublishedResults["byCommitment"] = [];
  const placed = new Set<string>();
  for (const c of commitments.commitments) {
    const found = others.filter((l) => l.commitments.includes(c.id));
    for (const l of found) placed.add(l.key);
    if (found.length) groups.push({ id: c.id, number: c.number, title: c.title, figures: found });
  }
  const rest = others.filter((l) => !placed.has(l.key));
  if (rest.length) groups.push({ id: null, number: null, title: "Autres indicateurs", figures: rest });
  const [actions, comments] = await Promise.all([
    Promise.all(PUBLIC_ACTION_SOURCES.map((s) => s(db, orgId))).then((l) => l.flat()),
    Promise.all(PUBLIC_COMMENT_SOURCES.map((s) => s(db, orgId))).then((l) => l.flat()),
  ]);
  return {
    org,
    period: first ? { from: first.periodFrom, to: first.periodTo } : null,
    previousPeriod: second ? { from: second.periodFrom, to: second.periodTo } : null,
    computedAt: first?.computedAt ?? null,
    headline: PUBLISHED_SET.map((p) => ({ ...p, figure: current.find((l) => l.key === p.key) ?? null })),
    byCommitment: groups,
    framework: commitments.framework ? { id: commitments.framework.id, name: commitments.framework.name } : null,
    info,
    closures: closures.filter((c) => c.day >= info.today).map((c) => ({ day: c.day, label: c.label })),
    actions,
    comments,
    children,
  };
}

/** The published figures of a subtree, batch by batch, for the CSV and JSON open data. */
export function openDataFigures(db: Kysely<DB>, orgId: string): AsyncGenerator<repo.OrgFigure[]> {
  return repo.figuresOfSubtree(db, orgId);
}

/** The organisations among `ids` that published their results during `year` (the yearly obligations view). */
export const publishedIn = repo.publishedIn;
