import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { decodeCursor, encodeCursor, isUuid } from "../../kernel/cursor.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { insertActionIn } from "../actions/actions.service.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import type { Channel } from "../frameworks/channels.ts";
import { byOrg } from "../indicators/by-org.ts";
import type { IndicatorBatchSource, IndicatorSource, IndicatorValue, Period } from "../indicators/indicator.ts";
import { organisationPath } from "../organisations/organisations.service.ts";
import * as repo from "./staff.repository.ts";
import {
  INCIDENT_COMMITMENTS,
  TRAINING_COMMITMENTS,
  TRAINING_THEME_LABELS,
  TRAINING_THEMES,
  type TrainingTheme,
  trainedShares,
} from "./themes.ts";

/** Staff in contact with the public, their trainings, and incident reports: the module's public surface. */
export interface StaffMember {
  id: string;
  name: string;
  job: string | null;
  active: boolean;
  version: number;
  trainings: Array<{ theme: TrainingTheme; completedOn: string }>;
}

export async function listStaff(db: Kysely<DB>, orgId: string): Promise<StaffMember[]> {
  const { members, trainings } = await repo.listStaff(db, orgId);
  return members.map((m) => ({
    ...m,
    trainings: trainings
      .filter((t) => t.staff_id === m.id)
      .flatMap((t) =>
        TRAINING_THEMES.includes(t.theme as TrainingTheme) ? [{ theme: t.theme as TrainingTheme, completedOn: t.completed_on }] : [],
      ),
  }));
}

/** An agent as the list of a node shows it: with the site they work at. */
export interface ListedStaffMember extends StaffMember {
  orgId: string;
  orgName: string;
}

export const STAFF_PAGE_SIZE = 50;

/** The agents of a node's whole subtree (a network lists every site's), filtered by site name, by keyset pages. */
export async function listSubtreeStaff(
  db: Kysely<DB>,
  rootId: string,
  input: { site?: string | undefined; after?: string | undefined },
): Promise<{ members: ListedStaffMember[]; total: number; next: string | undefined }> {
  const after = input.after
    ? decodeCursor<repo.StaffKey>(
        input.after,
        (k) => Array.isArray(k) && k.length === 3 && k.every((part) => typeof part === "string" && part.length <= 200) && isUuid(k[2]),
      )
    : undefined;
  const { members, trainings, total, more } = await repo.staffOfSubtree(db, rootId, {
    siteName: input.site,
    after,
    limit: STAFF_PAGE_SIZE,
  });
  const listed = members.map((m) => ({
    orgId: m.org_id,
    orgName: m.org_name,
    id: m.id,
    name: m.name,
    job: m.job,
    active: m.active,
    version: m.version,
    trainings: trainings
      .filter((t) => t.staff_id === m.id)
      .flatMap((t) =>
        TRAINING_THEMES.includes(t.theme as TrainingTheme) ? [{ theme: t.theme as TrainingTheme, completedOn: t.completed_on }] : [],
      ),
  }));
  const last = members.at(-1);
  const next = more && last ? encodeCursor([last.org_name, last.name, last.id]) : undefined;
  return { members: listed, total, next };
}

export async function addStaff(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  input: { name: string; job?: string | undefined },
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const id = await repo.insertStaff(trx, orgId, { name: input.name, job: input.job ?? null });
    await repo.applyStaffRollup(trx, await pathOf(trx, orgId), [], 1);
    await recordAudit(trx, auditActor(actor), { orgId, action: "create", entity: "staff_member", entityId: id, after: input });
    return id;
  });
}

export async function setStaffActive(db: Kysely<DB>, actor: Actor, orgId: string, id: string, input: { active: boolean; version: number }) {
  await db.transaction().execute(async (trx) => {
    const before = await repo.findStaff(trx, orgId, id);
    if (!before) throw new AppError("staff.not_found");
    if (!(await repo.setActive(trx, orgId, id, input.active, input.version))) throw new AppError("staff.stale");
    if (before.active !== input.active) {
      // Someone who leaves takes their trainings out of the shares; coming back brings them in again.
      const delta = input.active ? 1 : -1;
      const first = await repo.firstTrainings(trx, orgId, id);
      await repo.applyStaffRollup(
        trx,
        await pathOf(trx, orgId),
        [...first].map(([theme, day]) => ({ theme, day, delta })),
        delta,
      );
    }
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "staff_member",
      entityId: id,
      before: { active: before.active },
      after: { active: input.active },
    });
  });
}

export async function addTraining(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  input: { staffId: string; theme: TrainingTheme; completedOn: string },
) {
  await db.transaction().execute(async (trx) => {
    const member = await repo.findStaff(trx, orgId, input.staffId);
    if (!member) throw new AppError("validation", { fields: { staffId: "Agent introuvable." } });
    const before = (await repo.firstTrainings(trx, orgId, input.staffId)).get(input.theme);
    if (!(await repo.insertTraining(trx, orgId, input))) return;
    // Only the first training on a theme counts: an earlier one moves the member's day back.
    if (member.active && (!before || input.completedOn < before)) {
      const moves = [{ theme: input.theme, day: input.completedOn, delta: 1 }];
      if (before) moves.push({ theme: input.theme, day: before, delta: -1 });
      await repo.applyStaffRollup(trx, await pathOf(trx, orgId), moves, 0);
    }
    await recordAudit(trx, auditActor(actor), { orgId, action: "create", entity: "staff_training", entityId: input.staffId, after: input });
  });
}

export interface TrainingTable {
  sites: Array<{ orgId: string; name: string; staff: number; shares: Record<TrainingTheme, number | null> }>;
  total: { staff: number; shares: Record<TrainingTheme, number | null>; trained: Record<TrainingTheme, number> };
}

/**
 * Share of active staff trained per theme as of a date: for the organisation's whole subtree, and for
 * each of its direct children that has staff (a network shows its regions, a region its sites).
 */
export async function trainingTable(db: Kysely<DB>, orgId: string, asOf: string): Promise<TrainingTable> {
  const { staff, trained } = await repo.trainingFigures(db, orgId, asOf);
  const perOrg = (id: string) =>
    Object.fromEntries(trained.filter((t) => t.org_id === id).map((t) => [t.theme, t.n])) as Partial<Record<TrainingTheme, number>>;
  const own = perOrg(orgId);
  const all = Object.fromEntries(TRAINING_THEMES.map((t) => [t, own[t] ?? 0])) as Record<TrainingTheme, number>;
  const total = staff.find((s) => s.org_id === orgId)?.n ?? 0;
  return {
    sites: staff
      .filter((s) => s.org_id !== orgId)
      .sort((a, b) => a.name.localeCompare(b.name, "fr"))
      .map((s) => ({ orgId: s.org_id, name: s.name, staff: s.n, shares: trainedShares(s.n, perOrg(s.org_id)) })),
    total: { staff: total, shares: trainedShares(total, all), trained: all },
  };
}

async function pathOf(db: Kysely<DB>, orgId: string): Promise<string[]> {
  return (await organisationPath(db, orgId)) ?? [orgId];
}

/** Staff trained per theme over the subtree as of the end of the period (`staff.trained_share`), and incident reports filed. */
export const staffIndicatorSource: IndicatorSource = async (db: Kysely<DB>, orgId: string, period: Period) => {
  const table = await trainingTable(db, orgId, period.to);
  return staffValues(table.total, await repo.incidentCounts(db, orgId, period.from, period.to));
};

/** The same for every organisation of a scope: three grouped reads (staff, trainings, incidents), split here. */
export const staffIndicatorBatch: IndicatorBatchSource = async (db, scope, period) => {
  const { staff, trained, incidents } = await repo.scopeFigures(db, scope, period.from, period.to);
  const trainedByOrg = byOrg(trained, (t) => t.org_id);
  const incidentsByOrg = byOrg(incidents, (i) => i.org_id);
  const staffByOrg = new Map(staff.map((s) => [s.org_id, s.n]));
  const out = new Map<string, IndicatorValue[]>();
  for (const orgId of new Set([...staffByOrg.keys(), ...incidentsByOrg.keys()])) {
    const n = staffByOrg.get(orgId) ?? 0;
    const perTheme = Object.fromEntries((trainedByOrg.get(orgId) ?? []).map((t) => [t.theme, t.n])) as Partial<
      Record<TrainingTheme, number>
    >;
    const values = staffValues({ staff: n, shares: trainedShares(n, perTheme) }, incidentsByOrg.get(orgId) ?? []);
    if (values.length) out.set(orgId, values);
  }
  return out;
};

function staffValues(
  total: { staff: number; shares: Record<TrainingTheme, number | null> },
  incidents: Array<{ status: string; n: number }>,
): IndicatorValue[] {
  const table = { total };
  const out: IndicatorValue[] = [];
  if (table.total.staff) {
    for (const theme of TRAINING_THEMES) {
      out.push({
        key: "staff.trained_share",
        label: `Agents formés : ${TRAINING_THEME_LABELS[theme]}`,
        unit: "share",
        value: table.total.shares[theme],
        target: 1,
        better: "higher",
        sample: table.total.staff,
        commitments: TRAINING_COMMITMENTS,
        channel: null,
      });
    }
  }
  const filed = incidents.reduce((n, r) => n + r.n, 0);
  if (filed) {
    out.push({
      key: "staff.incidents",
      label: "Dysfonctionnements signalés par les agents",
      unit: "count",
      value: filed,
      target: null,
      better: "higher",
      sample: filed,
      commitments: INCIDENT_COMMITMENTS,
      channel: null,
    });
    out.push({
      key: "staff.incidents_to_action",
      label: "Signalements traduits en action",
      unit: "share",
      value: (incidents.find((r) => r.status === "action")?.n ?? 0) / filed,
      target: null,
      better: "higher",
      sample: filed,
      commitments: INCIDENT_COMMITMENTS,
      channel: null,
    });
  }
  return out;
}

export interface Incident {
  id: string;
  occurredOn: string;
  channel: Channel | null;
  description: string;
  reporterLabel: string;
  status: "new" | "action" | "dismissed";
  actionId: string | null;
  triageNote: string | null;
  version: number;
}

type IncidentRow = Awaited<ReturnType<typeof repo.listIncidents>>[number];

const incidentOf = (r: IncidentRow): Incident => ({
  id: r.id,
  occurredOn: r.occurred_on,
  channel: (r.channel as Channel | null) ?? null,
  description: r.description,
  reporterLabel: r.reporter_label,
  status: r.status === "action" || r.status === "dismissed" ? r.status : "new",
  actionId: r.action_id,
  triageNote: r.triage_note,
  version: r.version,
});

export async function listIncidents(db: Kysely<DB>, orgId: string): Promise<Incident[]> {
  return (await repo.listIncidents(db, orgId)).map(incidentOf);
}

/** An incident as a node's list shows it: with the site it was filed at. */
export interface ListedIncident extends Incident {
  orgId: string;
  orgName: string;
}

export const INCIDENTS_PAGE_SIZE = 50;

/** The incident reports of a node's whole subtree (a network sees every site's), filtered by site name, by keyset pages. */
export async function listSubtreeIncidents(
  db: Kysely<DB>,
  rootId: string,
  input: { site?: string | undefined; after?: string | undefined },
): Promise<{ incidents: ListedIncident[]; total: number; fresh: number; next: string | undefined }> {
  const after = input.after
    ? decodeCursor<repo.IncidentKey>(
        input.after,
        (k) =>
          Array.isArray(k) &&
          k.length === 3 &&
          (k[0] === 0 || k[0] === 1) &&
          /^\d{4}-\d{2}-\d{2}$/.test(String(k[1])) &&
          !Number.isNaN(Date.parse(String(k[1]))) &&
          isUuid(k[2]),
      )
    : undefined;
  const { rows, total, fresh, more } = await repo.incidentsOfSubtree(db, rootId, {
    siteName: input.site,
    after,
    limit: INCIDENTS_PAGE_SIZE,
  });
  const last = rows.at(-1);
  const next = more && last ? encodeCursor([Number(last.rank), last.occurred_on, last.id]) : undefined;
  return { incidents: rows.map((r) => ({ ...incidentOf(r), orgId: r.org_id, orgName: r.org_name })), total, fresh, next };
}

/** Any agent of the organisation files an incident in one short form. */
export async function fileIncident(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  input: { occurredOn: string; channel?: Channel | undefined; description: string },
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const id = await repo.insertIncident(trx, orgId, {
      occurredOn: input.occurredOn,
      channel: input.channel ?? null,
      description: input.description,
      reporterId: actor.accountId,
      reporterLabel: actor.displayName,
    });
    await recordAudit(trx, auditActor(actor), { orgId, action: "create", entity: "incident_report", entityId: id, after: input });
    return id;
  });
}

/** The referent turns a report into an action of the plan, or files it away with a note; once only. */
export async function triageIncident(
  db: Kysely<DB>,
  actor: Actor,
  orgId: string,
  id: string,
  input: {
    decision: "action" | "dismiss";
    title?: string | undefined;
    commitmentId?: string | undefined;
    note?: string | undefined;
    version: number;
  },
): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    const before = await repo.findIncident(trx, orgId, id);
    if (!before) throw new AppError("incident.not_found");
    let actionId: string | null = null;
    if (input.decision === "action") {
      const path = (await organisationPath(trx, orgId)) ?? [orgId];
      const created = await insertActionIn(trx, auditActor(actor), orgId, path, {
        title: input.title ?? before.description.slice(0, 1000),
        leverId: null,
        commitmentId: input.commitmentId ?? null,
        channel: before.channel,
        owner: null,
        service: null,
        dueOn: null,
        planYear: Number(before.occurred_on.slice(0, 4)),
        status: "todo",
        origin: "incident",
      });
      actionId = created.id;
    }
    const status = input.decision === "action" ? "action" : "dismissed";
    if (!(await repo.triageIncident(trx, orgId, id, input.version, { status, actionId, note: input.note ?? null }))) {
      throw new AppError("incident.stale");
    }
    await recordAudit(trx, auditActor(actor), {
      orgId,
      action: "update",
      entity: "incident_report",
      entityId: id,
      before: { status: before.status },
      after: { status, actionId, note: input.note ?? null },
    });
    return actionId;
  });
}
