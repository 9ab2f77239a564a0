import { FIRST_DATE, FIRST_YEAR, LAST_DATE, LAST_YEAR, toDayIndex, toIsoDate } from "./day-index.ts";
import { type HolidayZone, isHolidayZone, type PublicHoliday } from "./holidays.ts";
import { type DayCount, workingDayTable, zoneHolidays } from "./tables.ts";

export type { HolidayZone, PublicHoliday } from "./holidays.ts";
export { HOLIDAY_ZONES } from "./holidays.ts";
export type { DayCount } from "./tables.ts";

export interface CalendarOptions {
  zone: HolidayZone;
  count: DayCount;
  /** The organisation's own closure days ("YYYY-MM-DD"), which are not working days either. */
  closures?: readonly string[];
}

export interface WorkingDayCalendar {
  readonly zone: HolidayZone;
  readonly count: DayCount;
  isWorkingDay(date: string): boolean;
  /**
   * The due date: the n-th working day after a reception date, as a delay "de n jours ouvrés à compter de la
   * réception" is counted — the clock starts the day after, and only working days count. A letter received on
   * Saturday with n = 1 is due on Monday, one received on Monday on Tuesday. So, for every date d and n ≥ 0,
   * countWorkingDays(d, addWorkingDays(d, n)) is n. A negative n gives the |n|-th working day before d.
   */
  addWorkingDays(date: string, n: number): string;
  /** Working days strictly after `from` up to and including `to`; negative when `to` is before `from`. */
  countWorkingDays(from: string, to: string): number;
  /** The zone's public holidays in a year, by date, named in French. Closures are not listed. */
  holidays(year: number): PublicHoliday[];
}

/** Number of values ≤ value in a sorted array. */
function countAtMost(sorted: Int32Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] ?? 0) <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

const OUT_OF_RANGE = `L'échéance tombe hors de la période prise en charge (${FIRST_DATE} au ${LAST_DATE}).`;

export function createCalendar({ zone, count, closures = [] }: CalendarOptions): WorkingDayCalendar {
  // Checked at run time too: zones and counts also come from forms and the database.
  if (!isHolidayZone(zone)) throw new RangeError(`Zone de jours fériés inconnue : « ${String(zone)} ».`);
  if (count !== "ouvres" && count !== "ouvrables") throw new RangeError(`Décompte inconnu : « ${String(count)} » (ouvres ou ouvrables).`);

  // The shared table holds the zone's working days; typed-array reads below fall back to 0 only to satisfy
  // noUncheckedIndexedAccess, every index being in range by construction.
  const { isWorking, upTo, nth, total } = workingDayTable(zone, count);

  // Closures that fall on a day already off change nothing, so only the others are kept, sorted, once each.
  const closed = Int32Array.from(
    new Set(
      closures.map((date) => {
        try {
          return toDayIndex(date);
        } catch (error) {
          throw new RangeError(`Jour de fermeture : ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
    ),
  )
    .filter((day) => isWorking[day] === 1)
    .sort();
  // For the i-th closure (from 0), its rank among the zone's working days minus i: the k-th open day comes after
  // that closure exactly when this is ≤ k. It never decreases, so "how many closures come before the k-th open
  // day" is one binary search.
  const closedShift = closed.map((day, i) => (upTo[day] ?? 0) - i);
  const openTotal = total - closed.length;

  const isClosed = (day: number) => {
    const at = countAtMost(closed, day);
    return at > 0 && closed[at - 1] === day;
  };
  const isOpen = (day: number) => isWorking[day] === 1 && (closed.length === 0 || !isClosed(day));
  /** Open days from 2000-01-01 up to and including the day. */
  const openUpTo = (day: number) => (upTo[day] ?? 0) - (closed.length === 0 ? 0 : countAtMost(closed, day));

  return {
    zone,
    count,
    isWorkingDay: (date) => isOpen(toDayIndex(date)),

    addWorkingDays(date, n) {
      if (!Number.isSafeInteger(n)) throw new RangeError(`Le nombre de jours doit être un entier : ${n}.`);
      const day = toDayIndex(date);
      // No delay: due the day it came, whatever day that is.
      if (n === 0) return date;
      // Open days up to the reception day; the due date is the n-th open day after them (or, going back,
      // the |n|-th open day before the date itself).
      const k = openUpTo(day) + n + (n < 0 && !isOpen(day) ? 1 : 0);
      if (k < 1 || k > openTotal) throw new RangeError(OUT_OF_RANGE);
      return toIsoDate(nth[k + countAtMost(closedShift, k)] ?? 0);
    },

    countWorkingDays: (from, to) => openUpTo(toDayIndex(to)) - openUpTo(toDayIndex(from)),

    holidays(year) {
      if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
        throw new RangeError(`Année hors de la période prise en charge (${FIRST_YEAR} à ${LAST_YEAR}) : ${year}.`);
      }
      // Copies, so that a caller editing the list cannot change the shared table.
      return (zoneHolidays(zone).byYear[year - FIRST_YEAR] ?? []).map((h) => ({ ...h }));
    },
  };
}
