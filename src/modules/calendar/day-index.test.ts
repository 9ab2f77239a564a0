import { describe, expect, it } from "vitest";
import { DAY_COUNT, toDayIndex, toIsoDate, weekdayOf } from "./day-index.ts";

describe("day indexes", () => {
  it("cover 2000-01-01 to 2100-12-31", () => {
    // 101 years, 25 of them leap (2000 is, 2100 is not).
    expect(DAY_COUNT).toBe(101 * 365 + 25);
    expect(toDayIndex("2000-01-01")).toBe(0);
    expect(toDayIndex("2100-12-31")).toBe(DAY_COUNT - 1);
    expect(toIsoDate(DAY_COUNT - 1)).toBe("2100-12-31");
  });

  it("agree with Date on every day, both ways, weekday included", () => {
    const date = new Date(Date.UTC(2000, 0, 1));
    for (let index = 0; index < DAY_COUNT; index++) {
      const iso = date.toISOString().slice(0, 10);
      if (toDayIndex(iso) !== index || toIsoDate(index) !== iso || weekdayOf(index) !== (date.getUTCDay() + 6) % 7) {
        expect({ iso, index, day: toDayIndex(iso), back: toIsoDate(index), weekday: weekdayOf(index) }).toBe("consistent");
      }
      date.setUTCDate(date.getUTCDate() + 1);
    }
  });

  it("refuses malformed dates and impossible days, in French", () => {
    for (const bad of ["2027-4-30", "2027/04/30", "30/04/2027", "2027-04-3x", "", "2027-04-30T00:00"]) {
      expect(() => toDayIndex(bad)).toThrow(/Date invalide.*AAAA-MM-JJ/);
    }
    for (const bad of ["2027-02-29", "2100-02-29", "2027-13-01", "2027-00-10", "2027-04-31", "2027-04-00"]) {
      expect(() => toDayIndex(bad)).toThrow(/n'existe pas/);
    }
    expect(toDayIndex("2000-02-29")).toBe(59);
  });

  it("refuses dates outside the covered period with a clear message", () => {
    expect(() => toDayIndex("1999-12-31")).toThrow("Date hors de la période prise en charge (2000-01-01 au 2100-12-31) : 1999-12-31.");
    expect(() => toDayIndex("2101-01-01")).toThrow(/hors de la période/);
    expect(() => toIsoDate(-1)).toThrow(/hors de la période/);
    expect(() => toIsoDate(DAY_COUNT)).toThrow(/hors de la période/);
  });
});
