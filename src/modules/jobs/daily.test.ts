import { describe, expect, it } from "vitest";
import { dailyOccurrence, isTimeZone, localDateHour } from "./daily.ts";

describe("localDateHour", () => {
  it("reads the date and hour in the given zone, not the server's", () => {
    // 23:30 UTC on 31 December is already New Year's Day in Paris.
    expect(localDateHour(new Date("2024-12-31T23:30:00Z"), "Europe/Paris")).toEqual({ date: "2025-01-01", hour: 0 });
    expect(localDateHour(new Date("2024-12-31T23:30:00Z"), "America/Cayenne")).toEqual({ date: "2024-12-31", hour: 20 });
  });

  it("says hour 0 at midnight, never 24", () => {
    expect(localDateHour(new Date("2025-06-14T22:00:00Z"), "Europe/Paris")).toEqual({ date: "2025-06-15", hour: 0 });
  });
});

describe("dailyOccurrence", () => {
  it("is not due before the local hour, due from it until midnight", () => {
    expect(dailyOccurrence("digest", 7, "Europe/Paris", new Date("2025-03-10T05:59:00Z"))).toBeNull();
    expect(dailyOccurrence("digest", 7, "Europe/Paris", new Date("2025-03-10T06:00:00Z"))).toBe("digest:2025-03-10");
    expect(dailyOccurrence("digest", 7, "Europe/Paris", new Date("2025-03-10T22:59:00Z"))).toBe("digest:2025-03-10");
    expect(dailyOccurrence("digest", 7, "Europe/Paris", new Date("2025-03-10T23:00:00Z"))).toBeNull();
  });

  it("still runs on the night the clocks skip the chosen hour", () => {
    // On 30 March 2025 Paris goes from 01:59 to 03:00: 02:00 never happens.
    expect(dailyOccurrence("night", 2, "Europe/Paris", new Date("2025-03-30T00:59:00Z"))).toBeNull();
    expect(dailyOccurrence("night", 2, "Europe/Paris", new Date("2025-03-30T01:00:00Z"))).toBe("night:2025-03-30");
  });

  it("keeps one key for the day the clocks go back, though an hour repeats", () => {
    const first = dailyOccurrence("night", 2, "Europe/Paris", new Date("2025-10-26T00:30:00Z"));
    const second = dailyOccurrence("night", 2, "Europe/Paris", new Date("2025-10-26T01:30:00Z"));
    expect(first).toBe("night:2025-10-26");
    expect(second).toBe(first);
  });
});

describe("isTimeZone", () => {
  it("accepts IANA names and refuses the rest", () => {
    expect(isTimeZone("Pacific/Noumea")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});
