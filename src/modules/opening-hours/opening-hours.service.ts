import type { Expression, Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { getOrganisation, type Organisation } from "../organisations/organisations.service.ts";
import { readAnnuaireRecord } from "./annuaire.ts";
import {
  closedWeekdays,
  type DayIntervals,
  isOpenAtLocal,
  localTime,
  mondayOf,
  type OpeningHoursSpecification,
  parseOpeningHours,
  typicalWeek,
  WEEK_SLOTS,
  weekSlots,
} from "./hours.ts";
import * as repo from "./opening-hours.repository.ts";
import type { AnnuaireImportInput, PublicInfoInput } from "./opening-hours.schema.ts";

export { closureSpecification, frenchWeek, openingHoursSpecification } from "./hours.ts";
export type { HoursRow, PublicInfoRow } from "./opening-hours.repository.ts";
export type { DayIntervals, OpeningHoursSpecification };

/** The typical week of some hours from a date (the week it falls in, or the next without a public holiday). */
export function typicalWeekFrom(hours: string, date: string, holidayZone: string): DayIntervals[] {
  return typicalWeek(hours, mondayOf(date), holidayZone);
}

/**
 * Opening hours, accessibility and contact channels of an organisation: what the public page shows,
 * what the calendar of deadlines may treat as closed, what the calls figures (#6) compare against.
 */
export interface PublicInfo {
  info: repo.PublicInfoRow;
  /** The hours in force today (the organisation's own local date), if any were ever set. */
  current: repo.HoursRow | null;
  /** The next change already announced, if any. */
  upcoming: repo.HoursRow | null;
  /** The last change that took effect, when there was an earlier version: « horaires modifiés le … ». */
  lastChange: repo.HoursRow | null;
  history: repo.HoursRow[];
  /** The typical week of the hours in force, Monday first. */
  week: DayIntervals[] | null;
  today: string;
}

function inForce(history: repo.HoursRow[], date: string): repo.HoursRow | null {
  let found: repo.HoursRow | null = null;
  for (const h of history) if (h.validFrom <= date) found = h;
  return found;
}

/**
 * The hours in force today (each in its own zone) of a set of organisations, given as a subquery of
 * their ids: what `getPublicInfo(…).current` says one by one, in one read. Absent: none recorded.
 */
export async function currentHoursOf(
  db: Kysely<DB>,
  orgs: Array<{ id: string; timeZone: string }>,
  orgIds: Expression<unknown>,
  now = new Date(),
): Promise<Map<string, string>> {
  const byOrg = new Map<string, repo.HoursRow[]>();
  for (const h of await repo.hoursHistoryOf(db, orgIds)) byOrg.set(h.orgId, [...(byOrg.get(h.orgId) ?? []), h]);
  const out = new Map<string, string>();
  for (const org of orgs) {
    const current = inForce(byOrg.get(org.id) ?? [], localTime(now, org.timeZone).date);
    if (current) out.set(org.id, current.hours);
  }
  return out;
}

export async function getPublicInfo(
  db: Kysely<DB>,
  orgId: string,
  now = new Date(),
  /** The organisation, when the caller has just read it (the public results page). */
  known?: Organisation,
): Promise<PublicInfo> {
  const [org, info, history] = await Promise.all([
    known?.id === orgId ? known : getOrganisation(db, orgId),
    repo.findInfo(db, orgId),
    repo.hoursHistory(db, orgId),
  ]);
  const today = localTime(now, org.timeZone).date;
  const current = inForce(history, today);
  const upcoming = history.find((h) => h.validFrom > today) ?? null;
  const lastChange = current && history.indexOf(current) > 0 ? current : null;
  return {
    info,
    current,
    upcoming,
    lastChange,
    history,
    week: current ? typicalWeek(current.hours, mondayOf(today), org.holidayZone) : null,
    today,
  };
}

function hoursOrThrow(value: string, holidayZone: string): string {
  const parsed = parseOpeningHours(value, holidayZone);
  if (!parsed.ok) throw new AppError("validation", { fields: { hours: parsed.message } });
  return parsed.value;
}

/**
 * Saves the access information and, when given, the hours from a date (today by default). Hours equal
 * to those already in force that day add nothing to the history. Optimistic locking on `version`.
 */
export async function savePublicInfo(db: Kysely<DB>, actor: Actor, orgId: string, input: PublicInfoInput, now = new Date()): Promise<void> {
  const org = await getOrganisation(db, orgId);
  const hours = input.hours ? hoursOrThrow(input.hours, org.holidayZone) : null;
  const validFrom = input.validFrom ?? localTime(now, org.timeZone).date;
  await db.transaction().execute(async (trx) => {
    const before = await repo.findInfo(trx, orgId);
    const after = {
      accessibility: input.accessibility ?? null,
      stepFree: input.stepFree,
      phone: input.phone ?? null,
      email: input.email ?? null,
      website: input.website ?? null,
      closesDeadlines: input.closesDeadlines,
      annuaireId: before.annuaireId,
    };
    if (!(await repo.writeInfo(trx, orgId, input.version, after))) throw new AppError("public_info.stale");
    await recordAudit(trx, auditActor(actor), { orgId, action: "update", entity: "public_info", entityId: orgId, before, after });
    if (hours) await recordHours(trx, actor, orgId, validFrom, hours, input.note ?? null);
  });
}

async function recordHours(db: Kysely<DB>, actor: Actor, orgId: string, validFrom: string, hours: string, note: string | null) {
  const history = await repo.hoursHistory(db, orgId);
  const previous = inForce(history, validFrom);
  if (previous && previous.hours === hours && previous.note === note) return;
  await repo.putHours(db, orgId, validFrom, hours, note);
  await recordAudit(db, auditActor(actor), {
    orgId,
    action: "update",
    entity: "opening_hours",
    entityId: validFrom,
    before: previous ?? undefined,
    after: { validFrom, hours, note },
  });
}

/** Imports hours, contacts and accessibility from an Annuaire de l'administration record (JSON text or object). */
export async function importFromAnnuaire(db: Kysely<DB>, actor: Actor, orgId: string, input: AnnuaireImportInput, now = new Date()) {
  let record: unknown = input.record;
  if (typeof record === "string") {
    try {
      record = JSON.parse(record);
    } catch {
      throw new AppError("validation", {
        fields: { record: "Ce n'est pas du JSON : collez la fiche telle que l'API de l'Annuaire la renvoie." },
      });
    }
  }
  const read = readAnnuaireRecord(record);
  if (!read.ok) throw new AppError("validation", { fields: { record: read.message } });
  const org = await getOrganisation(db, orgId);
  const hours = parseOpeningHours(read.value.hours, org.holidayZone);
  if (!hours.ok) throw new AppError("validation", { fields: { record: hours.message } });
  const validFrom = input.validFrom ?? localTime(now, org.timeZone).date;
  await db.transaction().execute(async (trx) => {
    const before = await repo.findInfo(trx, orgId);
    // What the directory does not say is kept: an import never blanks a field a referent filled.
    const after = {
      accessibility: read.value.accessibility ?? before.accessibility,
      stepFree: read.value.stepFree ?? before.stepFree,
      phone: read.value.phone ?? before.phone,
      email: read.value.email ?? before.email,
      website: read.value.website ?? before.website,
      closesDeadlines: before.closesDeadlines,
      annuaireId: read.value.annuaireId ?? before.annuaireId,
    };
    if (!(await repo.writeInfo(trx, orgId, input.version, after))) throw new AppError("public_info.stale");
    await recordAudit(trx, auditActor(actor), { orgId, action: "update", entity: "public_info", entityId: orgId, before, after });
    await recordHours(trx, actor, orgId, validFrom, hours.value, read.value.note);
  });
  return read.value;
}

// ---- For other modules: is the organisation open? ----

/**
 * A reusable check for many instants of one organisation (a call log, say): open (true), closed (false),
 * or unknown (null: no hours were ever set, or none were in force yet). `closedDays` are the calendar's
 * closure days (its own and its ancestors'), which count as closed; public holidays follow the hours'
 * own `PH` rules. The calendar module passes them (calendar.service `openingChecker`): opening hours
 * feed the calendar's working days, so this module does not read the calendar back.
 */
export async function openingCheckerWith(
  db: Kysely<DB>,
  orgId: string,
  closedDays: Iterable<string>,
): Promise<(instant: Date) => boolean | null> {
  const [org, history] = await Promise.all([getOrganisation(db, orgId), repo.hoursHistory(db, orgId)]);
  const closed = new Set(closedDays);
  return (instant) => {
    const { date, minutes } = localTime(instant, org.timeZone);
    const hours = inForce(history, date);
    if (!hours) return null;
    if (closed.has(date)) return false;
    return isOpenAtLocal(hours.hours, date, minutes, org.holidayZone);
  };
}

export async function weeklyOpenSlots(db: Kysely<DB>, orgId: string, onDate?: string): Promise<Uint8Array | null> {
  const org = await getOrganisation(db, orgId);
  const date = onDate ?? localTime(new Date(), org.timeZone).date;
  const hours = inForce(await repo.hoursHistory(db, orgId), date);
  if (!hours) return null;
  const slots = weekSlots(typicalWeek(hours.hours, mondayOf(date), org.holidayZone));
  return slots.length === WEEK_SLOTS ? slots : null;
}

/** How far ahead the last version of the hours closes weekdays for deadlines: no deadline runs that long. */
const CLOSED_DAYS_HORIZON_YEARS = 5;
/** The calendar covers 2000 to 2100. */
const LAST_DAY = new Date("2100-12-31T12:00:00Z");

/**
 * The dates an organisation is closed all day by its opening hours (a site shut on Wednesdays), for the
 * working-day calendar — only when the organisation chose so (`closesDeadlines`): a delay "in working
 * days" is a promise about the service's working days, and a site closed to the public on Wednesday
 * may still work on the mail that day. Each version of the hours applies from its date to the next one.
 */
export async function daysClosedByOpeningHours(db: Kysely<DB>, orgId: string, holidayZone: string): Promise<string[]> {
  if (!(await repo.closesDeadlines(db, orgId))) return [];
  const history = await repo.hoursHistory(db, orgId);
  const days: string[] = [];
  history.forEach((version, i) => {
    const weekdays = new Set(closedWeekdays(typicalWeek(version.hours, mondayOf(version.validFrom), holidayZone)));
    if (!weekdays.size) return;
    const start = new Date(`${version.validFrom}T12:00:00Z`);
    const next = history[i + 1]?.validFrom;
    const end = next
      ? new Date(`${next}T12:00:00Z`)
      : new Date(Date.UTC(start.getUTCFullYear() + CLOSED_DAYS_HORIZON_YEARS, start.getUTCMonth(), start.getUTCDate(), 12));
    const limit = new Date(Math.min(end.getTime(), LAST_DAY.getTime()));
    for (let d = start; d <= limit && d < end; d = new Date(d.getTime() + 86_400_000)) {
      if (weekdays.has((d.getUTCDay() + 6) % 7)) days.push(d.toISOString().slice(0, 10));
    }
  });
  return days;
}
