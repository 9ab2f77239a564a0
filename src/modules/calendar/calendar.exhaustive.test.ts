import Holidays from "date-holidays";
import { describe, expect, it } from "vitest";
import { createCalendar, type DayCount, HOLIDAY_ZONES, type HolidayZone, type WorkingDayCalendar } from "./calendar.ts";

/**
 * Checks the tables against an expectation built without them: Date objects for the days and weekdays,
 * the library called directly for the holidays, and a plain day-by-day walk for due dates.
 */

const LIBRARY: Record<HolidayZone, [string, string?]> = {
  metropole: ["FR"],
  "alsace-moselle": ["FR", "57"],
  guadeloupe: ["GP"],
  martinique: ["MQ"],
  guyane: ["GF"],
  reunion: ["RE"],
  mayotte: ["YT"],
};
// The one documented departure from the library: no statutory Good Friday in Guadeloupe and Martinique.
const WITHOUT_GOOD_FRIDAY = new Set<HolidayZone>(["guadeloupe", "martinique"]);

interface Expectation {
  days: string[];
  /** Working days by count, in the order of `days`. */
  working: Record<DayCount, boolean[]>;
}

function expectationFor(zone: HolidayZone): Expectation {
  const [country, state] = LIBRARY[zone];
  const library = state ? new Holidays(country, state) : new Holidays(country);
  const holidays = new Set<string>();
  for (let year = 2000; year <= 2100; year++) {
    for (const h of library.getHolidays(year, "fr")) {
      if (h.type !== "public") continue;
      if (WITHOUT_GOOD_FRIDAY.has(zone) && h.name === "Vendredi saint") continue;
      holidays.add(h.date.slice(0, 10));
    }
  }
  const days: string[] = [];
  const working: Record<DayCount, boolean[]> = { ouvres: [], ouvrables: [] };
  for (const date = new Date(Date.UTC(2000, 0, 1)); date.getUTCFullYear() <= 2100; date.setUTCDate(date.getUTCDate() + 1)) {
    const iso = date.toISOString().slice(0, 10);
    const weekday = date.getUTCDay(); // 0 = Sunday, 6 = Saturday
    days.push(iso);
    working.ouvres.push(weekday !== 0 && weekday !== 6 && !holidays.has(iso));
    working.ouvrables.push(weekday !== 0 && !holidays.has(iso));
  }
  return { days, working };
}

/** The due date by walking day by day; undefined when it would fall after 2100. */
function walk(days: string[], open: boolean[], start: number, n: number): string | undefined {
  let at = start;
  for (let left = n; left > 0 && at < days.length; ) {
    at++;
    if (open[at]) left--;
  }
  return days[at];
}

/** A small seeded generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SAMPLE_N = [0, 1, 5, 15, 30];
const FULL_YEARS = ["2000", "2027", "2100"];

function checkDueDates(calendar: WorkingDayCalendar, days: string[], open: boolean[], starts: number[]): void {
  for (const start of starts) {
    const date = days[start] ?? "";
    for (const n of SAMPLE_N) {
      const expected = walk(days, open, start, n);
      if (expected === undefined) {
        expect(() => calendar.addWorkingDays(date, n), `${date} + ${n}`).toThrow(/hors de la période/);
        continue;
      }
      const due = calendar.addWorkingDays(date, n);
      // The count starts the day after reception, so it finds exactly n working days up to the due date.
      const counted = calendar.countWorkingDays(date, due);
      if (due !== expected || counted !== n) {
        expect({ date, n, due, counted }).toEqual({ date, n, due: expected, counted: n });
      }
    }
  }
}

describe.each(HOLIDAY_ZONES)("%s, every day of 2000–2100", (zone) => {
  const expectation = expectationFor(zone);
  const { days } = expectation;
  const pick = random(HOLIDAY_ZONES.indexOf(zone) + 1);
  const randomStarts = Array.from({ length: 3000 }, () => Math.floor(pick() * days.length));
  const yearStarts = days.flatMap((d, i) => (FULL_YEARS.includes(d.slice(0, 4)) ? [i] : []));

  it.each(["ouvres", "ouvrables"] as const)("%s: working days and running counts match the library", (count) => {
    const calendar = createCalendar({ zone, count });
    const open = expectation.working[count];
    let running = 0;
    days.forEach((date, i) => {
      if (i > 0 && open[i]) running++;
      // Compared one by one but asserted only on a mismatch: 37,000 expect() calls per zone would dominate the run.
      if (calendar.isWorkingDay(date) !== open[i] || calendar.countWorkingDays("2000-01-01", date) !== running) {
        expect({ date, working: calendar.isWorkingDay(date), count: calendar.countWorkingDays("2000-01-01", date) }).toEqual({
          date,
          working: open[i],
          count: running,
        });
      }
    });
  });

  it.each(["ouvres", "ouvrables"] as const)("%s: due dates on every day of 2000, 2027 and 2100 and on random days", (count) => {
    const calendar = createCalendar({ zone, count });
    checkDueDates(calendar, days, expectation.working[count], [...yearStarts, ...randomStarts]);
  });

  it("honours random closures", () => {
    const open = [...expectation.working.ouvres];
    const closures: string[] = [];
    // About one day in twenty closed over 2026–2028, weekends and holidays included: those change nothing.
    for (let i = days.indexOf("2026-01-01"); i <= days.indexOf("2028-12-31"); i++) {
      if (pick() < 0.05) {
        closures.push(days[i] ?? "");
        open[i] = false;
      }
    }
    const calendar = createCalendar({ zone, count: "ouvres", closures });
    const starts = days.flatMap((d, i) => (d >= "2025-12-01" && d <= "2029-01-31" ? [i] : []));
    for (const i of starts) {
      if (calendar.isWorkingDay(days[i] ?? "") !== open[i])
        expect({ date: days[i], working: !open[i] }).toEqual({ date: days[i], working: open[i] });
    }
    checkDueDates(calendar, days, open, [...starts, ...randomStarts.slice(0, 500)]);
  });
});
