import { describe, expect, it } from "vitest";
import { addCalendarDays, dueDate, histogramBucket, percentile, responseDays, shiftAfterPause, type WorkingCalendar } from "./due-date.ts";

// A calendar with weekends only, enough to test the arithmetic here; holidays are the calendar module's.
const weekdays: WorkingCalendar = {
  addWorkingDays(date, n) {
    let d = date;
    let left = n;
    while (left > 0) {
      d = addCalendarDays(d, 1);
      const day = new Date(`${d}T00:00:00Z`).getUTCDay();
      if (day !== 0 && day !== 6) left--;
    }
    return d;
  },
  countWorkingDays(from, to) {
    let n = 0;
    for (let d = from; d < to; ) {
      d = addCalendarDays(d, 1);
      const day = new Date(`${d}T00:00:00Z`).getUTCDay();
      if (day !== 0 && day !== 6) n++;
    }
    return n;
  },
};

describe("deadlines", () => {
  it("counts working days or calendar days as the commitment says", () => {
    expect(dueDate("2027-03-01", { value: 5, unit: "working_days" }, weekdays)).toBe("2027-03-08");
    expect(dueDate("2027-03-01", { value: 7, unit: "calendar_days" }, weekdays)).toBe("2027-03-08");
    expect(dueDate("2027-03-05", { value: 1, unit: "working_days" }, weekdays)).toBe("2027-03-08");
  });

  it("moves the deadline by the working days the clock was paused", () => {
    // Paused Monday 8, resumed Wednesday 10: two working days later than planned.
    expect(shiftAfterPause("2027-03-12", "2027-03-08", "2027-03-10", weekdays)).toBe("2027-03-16");
  });

  it("measures response times and their percentiles", () => {
    expect(responseDays("2027-03-01", "2027-03-01", weekdays)).toBe(0);
    expect(responseDays("2027-03-05", "2027-03-08", weekdays)).toBe(1);
    expect(histogramBucket(75)).toBe(60);
    const h = Array(61).fill(0);
    h[1] = 5;
    h[3] = 4;
    h[20] = 1;
    expect(percentile(h, 50)).toBe(1);
    expect(percentile(h, 90)).toBe(3);
    expect(percentile(h, 100)).toBe(20);
    expect(percentile(Array(61).fill(0), 50)).toBeNull();
  });
});
