import { createRequire } from "node:module";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { getPublicInfo } from "../opening-hours/opening-hours.service.ts";
import type { IsOpen } from "./figures.ts";

/**
 * The seam with the opening hours (issue #8, OSM `opening_hours` syntax). The calls figures take an
 * `IsOpen` predicate; this file makes one from an opening_hours string, and `openingHoursOf` reads
 * the organisation's hours in force (module opening-hours).
 */
type OpeningHours = { getState(date: Date): boolean };
const OpeningHoursClass: new (value: string, nominatim?: unknown, options?: unknown) => OpeningHours = createRequire(import.meta.url)(
  "opening_hours",
);

/** A Monday in a week without French public holiday, as the reference week of the hours. */
const REFERENCE_MONDAY = { year: 2025, month: 0, day: 13 };

/**
 * The weekly pattern of an opening_hours string (public holidays and dated exceptions aside, since
 * the rollup counts by day of the week), as 7 × 96 quarters of an hour. Throws on a string the
 * package cannot read.
 */
export function weeklyPredicate(openingHours: string): IsOpen {
  const oh = new OpeningHoursClass(openingHours, null, { mode: 0 });
  const open = new Set<number>();
  for (let dow = 1; dow <= 7; dow++) {
    for (let slot = 0; slot < 96; slot++) {
      const at = new Date(
        REFERENCE_MONDAY.year,
        REFERENCE_MONDAY.month,
        REFERENCE_MONDAY.day + dow - 1,
        Math.floor(slot / 4),
        (slot % 4) * 15,
      );
      if (oh.getState(at)) open.add(dow * 100 + slot);
    }
  }
  return (dayOfWeek, minuteOfDay) => open.has(dayOfWeek * 100 + Math.floor(minuteOfDay / 15));
}

/**
 * The organisation's opening hours in force today, as an opening_hours string (the hours page of
 * issue #8); null when none are recorded, and the "calls outside opening hours" figure is not shown.
 */
export async function openingHoursOf(db: Kysely<DB>, orgId: string): Promise<string | null> {
  return (await getPublicInfo(db, orgId)).current?.hours ?? null;
}
