import { DAY_COUNT, FIRST_YEAR, LAST_YEAR, toDayIndex, weekdayOf } from "./day-index.ts";
import { type HolidayZone, type PublicHoliday, statutoryHolidays } from "./holidays.ts";

/** jours ouvrés: Monday to Friday; jours ouvrables: Monday to Saturday. Both leave out public holidays. */
export type DayCount = "ouvres" | "ouvrables";

export interface ZoneHolidays {
  /** Index 0 is FIRST_YEAR. */
  byYear: PublicHoliday[][];
  /** 1 on a public holiday, by day index. */
  isHoliday: Uint8Array;
}

export interface WorkingDayTable {
  /** 1 on a working day, by day index. */
  isWorking: Uint8Array;
  /** Working days from 2000-01-01 up to and including each day: a count between two dates is one subtraction. */
  upTo: Int32Array;
  /** Day index of the k-th working day (k from 1; slot 0 unused): the due date is one read. */
  nth: Int32Array;
  total: number;
}

// Built on first use and kept: the library takes about 0.3 s per zone for the 101 years, the arrays under 1 MB.
const zones = new Map<HolidayZone, ZoneHolidays>();
const tables = new Map<string, WorkingDayTable>();

export function zoneHolidays(zone: HolidayZone): ZoneHolidays {
  let found = zones.get(zone);
  if (!found) {
    const byYear: PublicHoliday[][] = [];
    const isHoliday = new Uint8Array(DAY_COUNT);
    for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) {
      const list = statutoryHolidays(zone, year);
      byYear.push(list);
      for (const h of list) isHoliday[toDayIndex(h.date)] = 1;
    }
    found = { byYear, isHoliday };
    zones.set(zone, found);
  }
  return found;
}

export function workingDayTable(zone: HolidayZone, count: DayCount): WorkingDayTable {
  const key = `${zone}/${count}`;
  let found = tables.get(key);
  if (!found) {
    found = buildTable(zoneHolidays(zone).isHoliday, count === "ouvres" ? 5 : 6);
    tables.set(key, found);
  }
  return found;
}

/** workingWeekdays: how many days from Monday are worked (5 or 6). */
function buildTable(isHoliday: Uint8Array, workingWeekdays: number): WorkingDayTable {
  const isWorking = new Uint8Array(DAY_COUNT);
  const upTo = new Int32Array(DAY_COUNT);
  const nthDays: number[] = [-1];
  for (let day = 0; day < DAY_COUNT; day++) {
    if (weekdayOf(day) < workingWeekdays && isHoliday[day] === 0) {
      isWorking[day] = 1;
      nthDays.push(day);
    }
    upTo[day] = nthDays.length - 1;
  }
  return { isWorking, upTo, nth: Int32Array.from(nthDays), total: nthDays.length - 1 };
}
