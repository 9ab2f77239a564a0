import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { decodeCursor, encodeCursor, isUuid } from "../../kernel/cursor.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { type AuditActor, auditActor, recordAudit } from "../audit/audit.service.ts";
import { CHANNELS, type Channel } from "../frameworks/channels.ts";
import { organisationCommitments } from "../frameworks/frameworks.service.ts";
import { byOrg, mapGroups } from "../indicators/by-org.ts";
import type { IndicatorBatchSource, IndicatorSource, IndicatorValue, Period } from "../indicators/indicator.ts";
import { type Lever, searchLevers, suggestLevers } from "../levers/levers.service.ts";
import { organisationPath } from "../organisations/organisations.service.ts";
import { ACTION_STATUSES, type ActionStatus, doneShare, isActionStatus } from "./action-status.ts";
import * as repo from "./actions.repository.ts";
import type { ActionInput } from "./actions.schema.ts";

/** The action plan: the module's public surface. */
export type { ActionFilter, ActionRow } from "./actions.repository.ts";

export interface Action extends repo.ActionRow {
  status: ActionStatus;
  channel: Channel | null;
}

const isChannel = (value: unknown): value is Channel => (CHANNELS as readonly unknown[]).includes(value);
const asAction = (row: repo.ActionRow): Action => ({
  ...row,
  status: isActionStatus(row.status) ? row.status : "todo",
  channel: isChannel(row.channel) ? row.channel : null,
});

export async function listPlan(db: Kysely<DB>, orgId: string, filter: repo.ActionFilter): Promise<Action[]> {
  return (await repo.listActions(db, orgId, filter)).map(asAction);
}

/** Rows per page of the action list. */
export const ACTION_PAGE_SIZE = 100;

/**
 * A page of the action list of a node's whole subtree (a network lists every site's), by keyset:
 * `after` is the cursor of the « Suivant » link. The page, then the count: two statements whatever the size.
 */
export async function listPlanPage(
  db: Kysely<DB>,
  orgId: string,
  filter: repo.ActionFilter,
  after: string | undefined,
): Promise<{ actions: Action[]; total: number; next: string | undefined }> {
  const key = after
    ? decodeCursor<repo.ActionKey>(
        after,
        (k) =>
          Array.isArray(k) &&
          k.length === 3 &&
          typeof k[0] === "string" &&
          /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(k[0]) &&
          isUuid(k[1]) &&
          Number.isInteger(k[2]),
      )
    : undefined;
  const [rows, total] = await Promise.all([
    repo.listActions(db, orgId, { ...filter, after: key, limit: ACTION_PAGE_SIZE + 1 }),
    repo.countActions(db, orgId, filter),
  ]);
  const actions = rows.slice(0, ACTION_PAGE_SIZE).map(asAction);
  const last = actions.at(-1);
  const next = rows.length > ACTION_PAGE_SIZE && last ? encodeCursor(repo.actionKeyOf(last)) : undefined;
  return { actions, total, next };
}

export async function getAction(db: Kysely<DB>, orgId: string, id: string): Promise<Action> {
  const row = await repo.findAction(db, orgId, id);
  if (!row) throw new AppError("action.not_found");
  return asAction(row);
}

export interface ActionEvent {
  at: Date;
  actorLabel: string;
  kind: string;
  fromStatus: ActionStatus | null;
  toStatus: ActionStatus | null;
  note: string | null;
}

export async function actionHistory(db: Kysely<DB>, orgId: string, id: string): Promise<ActionEvent[]> {
  return (await repo.eventsOf(db, orgId, id)).map((e) => ({
    at: e.at,
    actorLabel: e.actor_label,
    kind: e.kind,
    fromStatus: isActionStatus(e.from_status) ? e.from_status : null,
    toStatus: isActionStatus(e.to_status) ? e.to_status : null,
    note: e.note,
  }));
}

export type StatusCounts = Record<ActionStatus, number>;
const zero = (): StatusCounts => ({ todo: 0, doing: 0, done: 0, dropped: 0 });

export interface PlanCounts {
  total: number;
  byStatus: StatusCounts;
  byCommitment: Array<{ commitmentId: string | null; counts: StatusCounts; total: number }>;
}

/** Counts of the subtree's plan, by status and by commitment, from the rollup (a few rows even for a network). */
export async function planCounts(db: Kysely<DB>, orgId: string, planYear?: number): Promise<PlanCounts> {
  return countsOf(await repo.rollupOf(db, orgId, planYear));
}

function countsOf(rows: Array<{ commitment_id: string; status: string; actions: number }>): PlanCounts {
  const byStatus = zero();
  const byCommitment = new Map<string, StatusCounts>();
  for (const r of rows) {
    if (!isActionStatus(r.status)) continue;
    byStatus[r.status] += r.actions;
    const c = byCommitment.get(r.commitment_id) ?? zero();
    c[r.status] += r.actions;
    byCommitment.set(r.commitment_id, c);
  }
  const sum = (c: StatusCounts) => ACTION_STATUSES.reduce((n, s) => n + c[s], 0);
  return {
    total: sum(byStatus),
    byStatus,
    byCommitment: [...byCommitment]
      .map(([id, counts]) => ({ commitmentId: id || null, counts, total: sum(counts) }))
      .sort((a, b) => (a.commitmentId ?? "~").localeCompare(b.commitmentId ?? "~", "fr", { numeric: true })),
  };
}

const rollupKey = (a: { planYear: number; commitmentId: string | null; status: string }) => ({
  planYear: a.planYear,
  commitmentId: a.commitmentId,
  status: a.status,
});

async function pathOf(db: Kysely<DB>, orgId: string): Promise<string[]> {
  return (await organisationPath(db, orgId)) ?? [orgId];
}

function valuesOf(input: ActionInput, origin: string, leverId: string | null = null): repo.ActionValues {
  return {
    title: input.title,
    leverId,
    commitmentId: input.commitmentId ?? null,
    channel: input.channel ?? null,
    owner: input.owner ?? null,
    service: input.service ?? null,
    dueOn: input.dueOn ?? null,
    planYear: input.planYear,
    status: input.status ?? "todo",
    origin,
  };
}

/** Inserts one action, its first history line, its rollup and audit entry, in the caller's transaction. */
export async function insertActionIn(
  trx: Kysely<DB>,
  author: AuditActor,
  orgId: string,
  path: string[],
  values: repo.ActionValues,
): Promise<{ id: string; number: number }> {
  const created = await repo.insertAction(trx, orgId, values);
  await repo.insertEvent(trx, orgId, { actionId: created.id, actorLabel: author.label, kind: "created", toStatus: values.status });
  await repo.applyRollup(trx, path, [{ ...rollupKey(values), delta: 1 }]);
  await recordAudit(trx, author, { orgId, action: "create", entity: "action", entityId: created.id, after: values });
  return created;
}

/**
 * An action serves a commitment the organisation holds: one of its adopted framework or a local
 * commitment on its path. Any other id would file the action under a promise nobody made (and
 * count it in the rollup under that id).
 */
export async function knownCommitmentIds(db: Kysely<DB>, orgId: string): Promise<Set<string>> {
  const { commitments, own } = await organisationCommitments(db, orgId);
  return new Set([...commitments.map((c) => c.id), ...own.map((l) => l.id)]);
}

async function requireKnownCommitment(db: Kysely<DB>, orgId: string, commitmentId: string | undefined): Promise<void> {
  if (!commitmentId || (await knownCommitmentIds(db, orgId)).has(commitmentId)) return;
  throw new AppError("validation", {
    fields: { commitmentId: "Cet engagement n'est ni dans le référentiel adopté par l'organisation, ni dans ses engagements locaux." },
  });
}

export async function createAction(db: Kysely<DB>, actor: Actor, orgId: string, input: ActionInput): Promise<{ id: string }> {
  await requireKnownCommitment(db, orgId, input.commitmentId);
  const path = await pathOf(db, orgId);
  return db.transaction().execute((trx) => insertActionIn(trx, auditActor(actor), orgId, path, valuesOf(input, "free")));
}

/** The commitment a lever serves in the organisation's framework (the lever bank files it under Marianne 2008). */
function commitmentFor(lever: Lever, frameworkId: string | undefined): string {
  return (frameworkId && lever.commitments.find((c) => c.startsWith(`${frameworkId}/`))) || lever.commitmentId;
}

/** Adds the chosen levers to the plan, each as an action to start, in one transaction. */
export async function addLevers(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  input: { leverIds: string[]; planYear: number; dueOn?: string | undefined; owner?: string | undefined },
): Promise<number> {
  const [all, { framework }] = await Promise.all([searchLevers(db, { limit: 1000 }), organisationCommitments(db, orgId)]);
  const levers = input.leverIds.map((id) => all.find((l) => l.id === id));
  if (!levers.length || levers.some((l) => !l))
    throw new AppError("validation", { fields: { leverIds: "Choisissez au moins un levier de la banque." } });
  const path = await pathOf(db, orgId);
  await db.transaction().execute(async (trx) => {
    for (const lever of levers) {
      if (!lever) continue;
      await insertActionIn(trx, auditActor(actor), orgId, path, {
        title: lever.text,
        leverId: lever.id,
        commitmentId: commitmentFor(lever, framework?.id),
        channel: lever.channel === "all" ? null : lever.channel,
        owner: input.owner ?? null,
        service: null,
        dueOn: input.dueOn ?? null,
        planYear: input.planYear,
        status: "todo",
        origin: "lever",
      });
    }
  });
  return levers.length;
}

/** Writes a change of fields and/or status with its history line, rollup move and audit entry. */
async function applyChange(
  trx: Kysely<DB>,
  author: AuditActor,
  before: Action,
  version: number,
  change: Partial<repo.ActionValues>,
  note: string | null,
): Promise<void> {
  if (!(await repo.updateAction(trx, before.orgId, before.id, version, change))) throw new AppError("action.stale");
  const after = { ...before, ...change };
  const path = await pathOf(trx, before.orgId);
  await repo.applyRollup(trx, path, [
    { ...rollupKey(before), delta: -1 },
    { ...rollupKey(after), delta: 1 },
  ]);
  const statusChanged = change.status !== undefined && change.status !== before.status;
  const edited = Object.keys(change).some((k) => k !== "status" && change[k as keyof repo.ActionValues] !== before[k as keyof Action]);
  if (statusChanged || note) {
    await repo.insertEvent(trx, before.orgId, {
      actionId: before.id,
      actorLabel: author.label,
      kind: statusChanged ? "status" : "note",
      fromStatus: statusChanged ? before.status : null,
      toStatus: statusChanged ? (change.status ?? null) : null,
      note,
    });
  }
  if (edited) await repo.insertEvent(trx, before.orgId, { actionId: before.id, actorLabel: author.label, kind: "edit" });
  await recordAudit(trx, author, {
    orgId: before.orgId,
    action: "update",
    entity: "action",
    entityId: before.id,
    before: { ...before, orgName: undefined },
    after: { ...after, orgName: undefined, note },
  });
}

export async function updateAction(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  id: string,
  input: ActionInput & { version: number; note?: string | undefined },
): Promise<void> {
  const current = await getAction(db, orgId, id);
  // An action filed under a former framework keeps its commitment; a new one must be known.
  if (input.commitmentId !== current.commitmentId) await requireKnownCommitment(db, orgId, input.commitmentId);
  await db.transaction().execute(async (trx) => {
    const before = await getAction(trx, orgId, id);
    const { origin: _origin, leverId: _lever, ...change } = valuesOf(input, before.origin, before.leverId);
    await applyChange(trx, auditActor(actor), before, input.version, change, input.note ?? null);
  });
}

/** A status change or a progress note from the board or the action's page. */
export async function changeActionStatus(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  id: string,
  input: { status: ActionStatus; version: number; note?: string | undefined },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await getAction(trx, orgId, id);
    await applyChange(trx, auditActor(actor), before, input.version, { status: input.status }, input.note ?? null);
  });
}

/** Sets the status of several actions of the subtree at once; all or nothing. */
export async function bulkStatus(db: Kysely<DB>, actor: Actor, orgId: string, ids: string[], status: ActionStatus): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const chosen = (await repo.findActionsByIds(trx, orgId, [...new Set(ids)])).map(asAction);
    if (chosen.length !== new Set(ids).size)
      throw new AppError("validation", { fields: { ids: "Une des actions choisies est introuvable." } });
    for (const a of chosen) if (a.status !== status) await applyChange(trx, auditActor(actor), a, a.version, { status }, null);
    return chosen.length;
  });
}

export interface Suggestions {
  commitments: Array<{ id: string; title: string; score: number | null }>;
  channels: Channel[];
  levers: Lever[];
}

/**
 * The levers of the weakest points: the commitments that scored lowest in the self-assessment
 * (below 100, the three worst) and the channels whose indicators miss their target.
 */
export async function suggestFor(
  db: Kysely<DB>,
  weakCommitments: Array<{ id: string; title: string; score: number | null }>,
  weakChannels: Channel[],
): Promise<Suggestions> {
  const commitments = weakCommitments
    .filter((c) => c.score !== null && c.score < 100)
    .sort((a, b) => (a.score ?? 0) - (b.score ?? 0))
    .slice(0, 3);
  const levers = await suggestLevers(
    db,
    commitments.map((c) => c.id),
    weakChannels,
  );
  return { commitments, channels: weakChannels, levers };
}

/** Channels whose figures miss their target, worst first. */
export function weakChannels(indicators: IndicatorValue[]): Channel[] {
  const gaps = new Map<Channel, number>();
  for (const i of indicators) {
    if (!i.channel || i.value === null || i.target === null) continue;
    const gap = i.better === "higher" ? i.target - i.value : i.value - i.target;
    if (gap > 0) gaps.set(i.channel, Math.max(gaps.get(i.channel) ?? 0, gap / (Math.abs(i.target) || 1)));
  }
  return [...gaps].sort((a, b) => b[1] - a[1]).map(([c]) => c);
}

/** The commitments that promise an action plan and a yearly review, in each framework. */
const PLAN_COMMITMENTS = ["sp+2023/7", "sp+2021/8", "marianne-2016/12", "marianne-2008/19"];

/**
 * The plan of the year the period ends in, for the subtree: share of actions done (dropped ones left
 * out), overall and per commitment, and the number of actions; read from the rollup.
 */
export const actionIndicatorSource: IndicatorSource = async (db: Kysely<DB>, orgId: string, period: Period) =>
  actionValues(await planCounts(db, orgId, Number(period.to.slice(0, 4))));

/** The same for every organisation of a scope: one read of their rollup rows, grouped here. */
export const actionIndicatorBatch: IndicatorBatchSource = async (db, scope, period) => {
  const rows = await repo.rollupInScope(db, scope, Number(period.to.slice(0, 4)));
  return mapGroups(
    byOrg(rows, (r) => r.org_id),
    (list) => actionValues(countsOf(list)),
  );
};

function actionValues(counts: PlanCounts): IndicatorValue[] {
  if (!counts.total) return [];
  const kept = (c: StatusCounts) => c.todo + c.doing + c.done;
  const out: IndicatorValue[] = [
    {
      key: "actions.done_share",
      label: "Actions du plan abouties",
      unit: "share",
      value: doneShare(counts.byStatus),
      target: null,
      better: "higher",
      sample: kept(counts.byStatus),
      commitments: PLAN_COMMITMENTS,
      channel: null,
    },
  ];
  for (const c of counts.byCommitment) {
    if (!c.commitmentId) continue;
    out.push({
      key: "actions.done_share",
      label: "Actions abouties pour cet engagement",
      unit: "share",
      value: doneShare(c.counts),
      target: null,
      better: "higher",
      sample: kept(c.counts),
      commitments: [c.commitmentId],
      channel: null,
    });
  }
  out.push({
    key: "actions.count",
    label: "Actions au plan",
    unit: "count",
    value: counts.total,
    target: null,
    better: "higher",
    sample: counts.total,
    commitments: PLAN_COMMITMENTS,
    channel: null,
  });
  return out;
}

/** Overdue actions of some organisations, for the reminder digest. */
export async function overdueActions(db: Kysely<DB>, orgIds: string[], today: string): Promise<Action[]> {
  return (await repo.overdueIn(db, orgIds, today)).map(asAction);
}

/** Actions of one organisation by their number (the key of a spreadsheet round trip). */
export async function actionsByNumber(db: Kysely<DB>, orgId: string, numbers: number[]): Promise<Action[]> {
  return (await repo.findActionsByNumber(db, orgId, numbers)).map(asAction);
}

export { applyChange as applyActionChange };
