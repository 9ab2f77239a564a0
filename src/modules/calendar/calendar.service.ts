import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { daysClosedByOpeningHours, openingCheckerWith } from "../opening-hours/opening-hours.service.ts";
import { getOrganisation } from "../organisations/organisations.service.ts";
import { createCalendar, type DayCount, type HolidayZone, type WorkingDayCalendar } from "./calendar.ts";

export type { WorkingDayCalendar };

export interface Closure {
  day: string;
  label: string;
  /** The organisation that closes: itself or an ancestor (a network closing all its sites). */
  orgId: string;
}

/** The closure days that apply to an organisation: its own and its ancestors'. */
export async function closuresOf(db: Kysely<DB>, path: string[]): Promise<Closure[]> {
  if (!path.length) return [];
  const rows = await db.selectFrom("org_closures").select(["org_id", "day", "label"]).where("org_id", "in", path).orderBy("day").execute();
  return rows.map((r) => ({ day: r.day, label: r.label, orgId: r.org_id }));
}

/**
 * The working-day calendar of an organisation: the public holidays of its zone, the closure days it or
 * its ancestors declared, and — only if the organisation asked for it — the weekdays its opening hours
 * leave wholly closed (see daysClosedByOpeningHours). Deadlines are counted in jours ouvrés.
 */
export async function organisationCalendar(
  db: Kysely<DB>,
  org: { holidayZone: HolidayZone; path: string[] },
  count: DayCount = "ouvres",
): Promise<WorkingDayCalendar> {
  return createCalendar({ zone: org.holidayZone, count, closures: await closedDays(db, org) });
}

/** The days an organisation is closed besides holidays: its and its ancestors' closures, and what its hours close. */
async function closedDays(db: Kysely<DB>, org: { holidayZone: HolidayZone; path: string[] }): Promise<string[]> {
  const self = org.path[org.path.length - 1];
  const [closures, closedByHours] = await Promise.all([
    closuresOf(db, org.path),
    self ? daysClosedByOpeningHours(db, self, org.holidayZone) : Promise.resolve([]),
  ]);
  return [...closures.map((c) => c.day), ...closedByHours];
}

/** Both counts of an organisation (ouvrés and ouvrables) from one read of its closures and opening hours. */
export async function organisationCalendars(
  db: Kysely<DB>,
  org: { holidayZone: HolidayZone; path: string[] },
): Promise<{ working: WorkingDayCalendar; business: WorkingDayCalendar }> {
  const days = await closedDays(db, org);
  return {
    working: createCalendar({ zone: org.holidayZone, count: "ouvres", closures: days }),
    business: createCalendar({ zone: org.holidayZone, count: "ouvrables", closures: days }),
  };
}

export async function addClosure(db: Kysely<DB>, actor: Actor, orgId: string, day: string, label: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto("org_closures")
      .values({ org_id: orgId, day, label })
      .onConflict((oc) => oc.columns(["org_id", "day"]).doNothing())
      .returning("day")
      .executeTakeFirst();
    if (!inserted) throw new AppError("validation", { fields: { day: "Cette fermeture est déjà enregistrée." } });
    await recordAudit(trx, auditActor(actor), { orgId, action: "create", entity: "closure", entityId: day, after: { day, label } });
  });
}

export async function removeClosure(db: Kysely<DB>, actor: Actor, orgId: string, day: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom("org_closures")
      .where("org_id", "=", orgId)
      .where("day", "=", day)
      .returningAll()
      .executeTakeFirst();
    if (removed) await recordAudit(trx, auditActor(actor), { orgId, action: "delete", entity: "closure", entityId: day, before: removed });
  });
}

/**
 * Is the organisation open at an instant: its opening hours, with the closure days of the calendar (its
 * own and its ancestors') counted as closed. A reusable check for many instants (a call log, say).
 */
export async function openingChecker(db: Kysely<DB>, orgId: string): Promise<(instant: Date) => boolean | null> {
  const closures = await closuresOf(db, (await getOrganisation(db, orgId)).path);
  return openingCheckerWith(
    db,
    orgId,
    closures.map((c) => c.day),
  );
}

export async function isOpenAt(db: Kysely<DB>, orgId: string, instant: Date): Promise<boolean | null> {
  return (await openingChecker(db, orgId))(instant);
}
