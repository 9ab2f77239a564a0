import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { requestHandlersAround } from "../accounts/accounts.service.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { createCalendar, HOLIDAY_ZONES } from "../calendar/calendar.ts";
import { getOrganisation, subtree } from "../organisations/organisations.service.ts";
import { tellNewHolder } from "./escalation.notify.ts";
import * as repo from "./escalation.repository.ts";

export { DEFAULT_ESCALATION_DAYS } from "./escalation.repository.ts";

/** How far back the working days of each zone are listed: a request later than this is late enough for both steps. */
const LOOKBACK_DAYS = 400;

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The working days (jours ouvrés) of every holiday zone around `now`, one list per zone, for the set-based job. */
export async function workingDaysAround(now: Date): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + 86_400_000;
  for (const zone of HOLIDAY_ZONES) {
    const calendar = createCalendar({ zone, count: "ouvres" });
    const days: string[] = [];
    for (let t = end - LOOKBACK_DAYS * 86_400_000; t <= end; t += 86_400_000) {
      const day = isoDay(t);
      if (calendar.isWorkingDay(day)) days.push(day);
    }
    out[zone] = days;
    // Each zone's holidays cost tens of milliseconds (date-holidays); all of them about a second. Let
    // the server answer in between, so the first pass after a start does not hold the pages.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

/**
 * The daily run: requests still open past their deadline are counted late (the holding-reply indicator),
 * then those late enough go one step up, each new holder being told, all in one transaction — two
 * statements whatever the number of sites, plus one queued e-mail per request that moved.
 */
export async function runEscalation(db: Kysely<DB>, now = new Date()): Promise<repo.EscalatedRequest[]> {
  const workingDays = await workingDaysAround(now);
  return db.transaction().execute(async (trx) => {
    await repo.countOpenLate(trx, now);
    const moved = await repo.escalateOverdue(trx, workingDays, now);
    for (const step of moved) await tellNewHolder(trx, step);
    return moved;
  });
}

export interface EscalationSettings {
  /** The organisation's own setting, null when it inherits. */
  own: number | null;
  /** What applies: its own, else the nearest ancestor's, else the default. */
  effective: number;
  inheritedFrom: { orgId: string; name: string } | null;
  /** The site and its services, each with its named referent (or none). */
  units: Array<{ id: string; name: string; kind: string; referentId: string | null }>;
  /** People who may be named: those handling requests on the site, above it or below it. */
  candidates: Array<{ id: string; displayName: string; email: string }>;
}

export async function escalationSettings(db: Kysely<DB>, orgId: string): Promise<EscalationSettings> {
  const org = await getOrganisation(db, orgId);
  const units = await subtree(db, orgId);
  const [own, inherited, referents, candidates] = await Promise.all([
    repo.escalationDaysOf(db, orgId),
    repo.inheritedEscalationDays(db, org.path.slice(0, -1)),
    repo.referentsOf(
      db,
      units.map((u) => u.id),
    ),
    requestHandlersAround(db, orgId),
  ]);
  const inheritedFrom = inherited ? { orgId: inherited.orgId, name: (await getOrganisation(db, inherited.orgId)).name } : null;
  return {
    own,
    effective: own ?? inherited?.days ?? repo.DEFAULT_ESCALATION_DAYS,
    inheritedFrom,
    units: units.map((u) => ({ id: u.id, name: u.name, kind: u.kind, referentId: referents.get(u.id) ?? null })),
    candidates,
  };
}

export interface EscalationInput {
  workingDays: number | null;
  /** Referent per unit id ("" or absent: none). */
  referents: Record<string, string | null>;
}

/** Saves the delay and the referents of an organisation and its services; refuses a unit outside it or a person who may not be named. */
export async function saveEscalationSettings(db: Kysely<DB>, actor: Actor, orgId: string, input: EscalationInput): Promise<void> {
  const current = await escalationSettings(db, orgId);
  const unitIds = new Set(current.units.map((u) => u.id));
  const people = new Set(current.candidates.map((c) => c.id));
  const fields: Record<string, string> = {};
  for (const [unitId, accountId] of Object.entries(input.referents)) {
    if (!unitIds.has(unitId)) fields[`referent_${unitId}`] = "Ce service n'appartient pas à l'organisation.";
    else if (accountId && !people.has(accountId)) fields[`referent_${unitId}`] = "Cette personne ne traite pas les demandes de ce service.";
  }
  if (Object.keys(fields).length) throw new AppError("validation", { fields });
  const who = auditActor(actor);
  await db.transaction().execute(async (trx) => {
    await repo.setEscalationDays(trx, orgId, input.workingDays);
    for (const [unitId, accountId] of Object.entries(input.referents)) await repo.setReferent(trx, unitId, accountId || null);
    await recordAudit(trx, who, {
      orgId,
      action: "update",
      entity: "escalation",
      entityId: orgId,
      before: { workingDays: current.own, referents: Object.fromEntries(current.units.map((u) => [u.id, u.referentId])) },
      after: input,
    });
  });
}
