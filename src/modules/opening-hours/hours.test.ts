import { describe, expect, it } from "vitest";
import {
  closedWeekdays,
  frenchWeek,
  isOpenAtLocal,
  localTime,
  mondayOf,
  openingHoursSpecification,
  parseOpeningHours,
  typicalWeek,
  weekSlots,
} from "./hours.ts";

const TOWN_HALL = "Mo-Fr 08:30-12:00,13:30-17:00; We 08:30-12:00; Sa 09:00-12:00; PH off";

describe("opening hours", () => {
  it("accepts the OSM syntax and keeps the library's canonical form", () => {
    const parsed = parseOpeningHours("mo-fr 9:00-17:00;sa 9-12");
    expect(parsed).toEqual({ ok: true, value: "Mo-Fr 09:00-17:00; Sa 09:00-12:00", warnings: expect.any(Array) });
  });

  it("refuses what it cannot read, in French, saying where", () => {
    const bad = parseOpeningHours("Mo-Fr 25:00-12:00");
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.message).toMatch(/^Horaires non reconnus : La plage horaire commence en dehors du jour.*près de « Mo-Fr 25:00 »/);
    const empty = parseOpeningHours("  ");
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.message).toContain("Indiquez les horaires");
    expect(parseOpeningHours("x".repeat(501)).ok).toBe(false);
  });

  it("says open or closed at a site's wall-clock time, public holidays of its zone included", () => {
    // Wednesday 18 November 2026: morning only.
    expect(isOpenAtLocal(TOWN_HALL, "2026-11-18", 10 * 60)).toBe(true);
    expect(isOpenAtLocal(TOWN_HALL, "2026-11-18", 14 * 60)).toBe(false);
    // 11 November is a public holiday everywhere; 26 December only in Alsace-Moselle.
    expect(isOpenAtLocal(TOWN_HALL, "2026-11-11", 10 * 60)).toBe(false);
    expect(isOpenAtLocal(TOWN_HALL, "2025-12-26", 10 * 60, "metropole")).toBe(true);
    expect(isOpenAtLocal(TOWN_HALL, "2025-12-26", 10 * 60, "alsace-moselle")).toBe(false);
  });

  it("reads an instant in the site's own time zone", () => {
    expect(localTime(new Date("2026-11-18T08:45:00Z"), "Europe/Paris")).toEqual({ date: "2026-11-18", minutes: 9 * 60 + 45 });
    expect(localTime(new Date("2026-11-18T22:30:00Z"), "Indian/Reunion")).toEqual({ date: "2026-11-19", minutes: 2 * 60 + 30 });
  });

  it("gives a typical week, skipping a week with a public holiday", () => {
    expect(mondayOf("2026-11-12")).toBe("2026-11-09");
    // The week of 9 November holds the 11th: the next week is read instead, Wednesday still half a day.
    const week = typicalWeek(TOWN_HALL, "2026-11-09");
    expect(week[2]).toEqual([{ opens: "08:30", closes: "12:00" }]);
    expect(week[0]).toEqual([
      { opens: "08:30", closes: "12:00" },
      { opens: "13:30", closes: "17:00" },
    ]);
    expect(closedWeekdays(week)).toEqual([6]);
    expect(frenchWeek(week)[6]).toEqual({ day: "Dimanche", text: "Fermé" });
    expect(frenchWeek(week)[5]).toEqual({ day: "Samedi", text: "09 h 00 – 12 h 00" });
  });

  it("cuts the week into 15-minute slots", () => {
    const slots = weekSlots(typicalWeek("Mo 08:30-12:00", "2026-11-16"));
    const open = [...slots.keys()].filter((i) => slots[i] === 1);
    // 08:30 is slot 34, 12:00 slot 48: 34..47 open.
    expect(open).toEqual([...Array(14).keys()].map((i) => 34 + i));
  });

  it("writes schema.org OpeningHoursSpecification, one entry per span with its days", () => {
    const specs = openingHoursSpecification(typicalWeek("Mo-Fr 08:30-12:00; Mo,Tu 08:30-12:00,13:30-17:00", "2026-11-16"), "2026-11-16");
    expect(specs).toContainEqual({
      "@type": "OpeningHoursSpecification",
      dayOfWeek: ["https://schema.org/Monday", "https://schema.org/Tuesday"],
      opens: "13:30",
      closes: "17:00",
      validFrom: "2026-11-16",
    });
    expect(specs.find((s) => s.opens === "08:30")?.dayOfWeek).toHaveLength(5);
  });
});
