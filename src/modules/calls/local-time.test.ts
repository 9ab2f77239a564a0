import { describe, expect, it } from "vitest";
import { isoDayOfWeek, localClock, parseLocalDateTime, slotOf } from "./local-time.ts";

describe("local wall-clock times", () => {
  it("reads ISO and French writings, and refuses days that do not exist", () => {
    expect(parseLocalDateTime("2026-03-02 08:15:00")).toEqual({ year: 2026, month: 3, day: 2, hour: 8, minute: 15, second: 0 });
    expect(parseLocalDateTime("02/03/2026 08:15")).toEqual({ year: 2026, month: 3, day: 2, hour: 8, minute: 15, second: 0 });
    expect(parseLocalDateTime("29/02/2024 23:59:59")).not.toBeNull();
    for (const bad of ["29/02/2026 10:00", "2026-13-01 10:00:00", "32/01/2026 10:00:00", "2026-01-01 24:00:00", "hier", ""]) {
      expect(parseLocalDateTime(bad), bad).toBeNull();
    }
  });

  it("gives the ISO day of the week and the quarter of an hour", () => {
    expect(isoDayOfWeek({ year: 2026, month: 3, day: 2 })).toBe(1);
    expect(isoDayOfWeek({ year: 2026, month: 3, day: 8 })).toBe(7);
    expect(slotOf({ hour: 0, minute: 14 })).toBe(0);
    expect(slotOf({ hour: 23, minute: 45 })).toBe(95);
  });

  it("turns Paris times into instants across both changes of clock, and other zones too", () => {
    const paris = localClock("Europe/Paris");
    const at = (s: string) => {
      const t = parseLocalDateTime(s);
      if (!t) throw new Error(s);
      return paris(t).toISOString();
    };
    expect(at("2026-01-15 10:00:00")).toBe("2026-01-15T09:00:00.000Z");
    expect(at("2026-07-15 10:00:00")).toBe("2026-07-15T08:00:00.000Z");
    expect(at("2026-03-29 01:59:59")).toBe("2026-03-29T00:59:59.000Z");
    expect(at("2026-03-29 03:00:00")).toBe("2026-03-29T01:00:00.000Z");
    // The hour lived twice in October: the first one.
    expect(at("2026-10-25 02:30:00")).toBe("2026-10-25T00:30:00.000Z");
    expect(at("2026-10-25 03:30:00")).toBe("2026-10-25T02:30:00.000Z");
    const reunion = localClock("Indian/Reunion");
    expect(reunion({ year: 2026, month: 7, day: 1, hour: 9, minute: 0, second: 0 }).toISOString()).toBe("2026-07-01T05:00:00.000Z");
  });
});
