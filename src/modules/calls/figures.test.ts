import { describe, expect, it } from "vitest";
import { callReport } from "./figures.ts";
import { weeklyPredicate } from "./opening-hours.ts";
import { waitBucket } from "./wait-buckets.ts";

const slot = (dow: number, hour: number, minute: number, offered: number, answered: number, abandoned = 0, waitSum = 0) => ({
  month: "2026-01-01",
  line: "accueil",
  dow,
  slot: hour * 4 + Math.floor(minute / 15),
  offered,
  answered,
  abandoned,
  waitSum,
});

describe("phone figures from the rollups", () => {
  it("computes the rates, the waits and the heat map", () => {
    const waits = [3, 10, 30, 50].map((s) => ({ month: "2026-01-01", line: "accueil", bucket: waitBucket(s), answered: 1 }));
    const r = callReport([slot(1, 9, 0, 5, 4, 1, 93)], waits, 25, null);
    expect(r.total).toMatchObject({
      offered: 5,
      answered: 4,
      abandoned: 1,
      unreached: 0,
      answerRate: 0.8,
      withinRings: 2,
      withinRate: 0.4,
      meanWait: 93 / 4,
      p90Wait: 50,
    });
    expect(r.total.outsideHours).toBeNull();
    expect(r.heat[0]?.[9]).toEqual({ offered: 5, answered: 4 });
  });

  it("counts the calls of the quarters of an hour when the service is closed, from an opening_hours string", () => {
    const isOpen = weeklyPredicate("Mo-Fr 08:30-12:00,13:30-17:00");
    expect(isOpen(1, 8 * 60 + 30)).toBe(true);
    expect(isOpen(1, 12 * 60)).toBe(false);
    expect(isOpen(6, 10 * 60)).toBe(false);
    const r = callReport([slot(1, 8, 15, 3, 1), slot(1, 9, 0, 10, 9), slot(1, 12, 30, 2, 0), slot(6, 10, 0, 4, 0)], [], 25, isOpen);
    expect(r.total.outsideHours).toBe(3 + 2 + 4);
    expect(r.byMonth[0]?.outsideHours).toBe(9);
  });
});
