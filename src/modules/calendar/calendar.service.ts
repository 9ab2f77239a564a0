import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { createCalendar, type DayCount, type WorkingDayCalendar } from "./calendar.ts";

export type { WorkingDayCalendar };

/**
 * The working-day calendar of an organisation: its holiday zone, and (once opening hours and
 * closures are kept, issue #8) its own closure days. Deadlines are counted in jours ouvrés.
 */
export async function organisationCalendar(
  _db: Kysely<DB>,
  org: { holidayZone: Parameters<typeof createCalendar>[0]["zone"] },
  count: DayCount = "ouvres",
): Promise<WorkingDayCalendar> {
  return createCalendar({ zone: org.holidayZone, count, closures: [] });
}
