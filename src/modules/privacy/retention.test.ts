import { describe, expect, it } from "vitest";
import { keptFrom, monthsLabel } from "./retention.ts";

describe("retention periods", () => {
  it("counts calendar months back, clamping to the month's last day", () => {
    expect(keptFrom("2026-12-04", 60)).toBe("2021-12-04");
    expect(keptFrom("2026-03-31", 1)).toBe("2026-02-28");
    expect(keptFrom("2026-01-15", 1)).toBe("2025-12-15");
    expect(keptFrom("2024-02-29", 12)).toBe("2023-02-28");
  });
  it("says years when whole", () => {
    expect(monthsLabel(12)).toBe("1 an");
    expect(monthsLabel(60)).toBe("5 ans");
    expect(monthsLabel(18)).toBe("18 mois");
  });
});
