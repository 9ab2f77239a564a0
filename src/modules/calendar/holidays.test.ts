import Holidays from "date-holidays";
import { describe, expect, it } from "vitest";
import { createCalendar, HOLIDAY_ZONES, type HolidayZone } from "./calendar.ts";

// 2026 written out from the law (Code du travail, L3133-1, L3134-13 and L3422-2), not from the library:
// Easter Sunday is 5 April 2026, so Good Friday is 3 April, Easter Monday 6 April, Ascension 14 May, Whit Monday 25 May.
const NATIONAL_2026 = [
  "2026-01-01",
  "2026-04-06",
  "2026-05-01",
  "2026-05-08",
  "2026-05-14",
  "2026-05-25",
  "2026-07-14",
  "2026-08-15",
  "2026-11-01",
  "2026-11-11",
  "2026-12-25",
];
const EXTRA_2026: Record<HolidayZone, string[]> = {
  metropole: [],
  "alsace-moselle": ["2026-04-03", "2026-12-26"],
  guadeloupe: ["2026-05-27"],
  martinique: ["2026-05-22"],
  guyane: ["2026-06-10"],
  reunion: ["2026-12-20"],
  mayotte: ["2026-04-27"],
};

describe("public holidays by zone", () => {
  it.each(HOLIDAY_ZONES)("%s has the statutory days of 2026, and only those", (zone) => {
    const calendar = createCalendar({ zone, count: "ouvrables" });
    const expected = [...NATIONAL_2026, ...EXTRA_2026[zone]].sort();
    expect(calendar.holidays(2026).map((h) => h.date)).toEqual(expected);
    for (const date of expected) expect(calendar.isWorkingDay(date), date).toBe(false);
  });

  it("keeps Good Friday and 26 December working days outside Alsace-Moselle", () => {
    // Friday 3 April 2026 and Friday 26 December 2025.
    for (const zone of HOLIDAY_ZONES) {
      const calendar = createCalendar({ zone, count: "ouvres" });
      expect(calendar.isWorkingDay("2026-04-03"), zone).toBe(zone !== "alsace-moselle");
      expect(calendar.isWorkingDay("2025-12-26"), zone).toBe(zone !== "alsace-moselle");
    }
  });

  it("gives each overseas department its own abolition day, a working day elsewhere", () => {
    const days: [HolidayZone, string][] = [
      ["guadeloupe", "2026-05-27"],
      ["martinique", "2026-05-22"],
      ["guyane", "2026-06-10"],
      ["reunion", "2025-12-20"],
      ["mayotte", "2026-04-27"],
    ];
    for (const [owner, date] of days) {
      for (const zone of HOLIDAY_ZONES) {
        expect(createCalendar({ zone, count: "ouvrables" }).isWorkingDay(date), `${zone} ${date}`).toBe(zone !== owner);
      }
    }
  });

  it("leaves out the library's Good Friday in Guadeloupe and Martinique, which the law does not list", () => {
    // The discrepancy documented in holidays.ts: this fails, on purpose, if the library ever drops that day.
    for (const country of ["GP", "MQ"]) {
      const fromLibrary = new Holidays(country).getHolidays(2026).filter((h) => h.type === "public");
      expect(fromLibrary.some((h) => h.date.startsWith("2026-04-03"))).toBe(true);
    }
    expect(createCalendar({ zone: "guadeloupe", count: "ouvres" }).isWorkingDay("2026-04-03")).toBe(true);
    expect(createCalendar({ zone: "martinique", count: "ouvres" }).isWorkingDay("2026-04-03")).toBe(true);
  });

  it("names the days in French and leaves out observances", () => {
    const names = createCalendar({ zone: "reunion", count: "ouvres" })
      .holidays(2026)
      .map((h) => h.name);
    expect(names).toContain("Fête du travail");
    expect(names).toContain("Noël");
    expect(names.some((n) => /esclavage/.test(n))).toBe(true);
    expect(names).not.toContain("Fête des Mères");
    expect(names).not.toContain("Pentecôte");
  });

  it("lists both days when two holidays share a date", () => {
    // 1 May 2008 was also Ascension Thursday.
    const may1 = createCalendar({ zone: "metropole", count: "ouvres" })
      .holidays(2008)
      .filter((h) => h.date === "2008-05-01");
    expect(may1.map((h) => h.name).sort()).toEqual(["Ascension", "Fête du travail"]);
  });

  it("hands out copies and refuses years outside the period", () => {
    const calendar = createCalendar({ zone: "metropole", count: "ouvres" });
    const first = calendar.holidays(2027);
    first.splice(0);
    expect(calendar.holidays(2027)).toHaveLength(11);
    expect(() => calendar.holidays(1999)).toThrow("Année hors de la période prise en charge (2000 à 2100) : 1999.");
    expect(() => calendar.holidays(2101)).toThrow(/hors de la période/);
  });
});
