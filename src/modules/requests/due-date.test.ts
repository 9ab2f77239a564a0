import { describe, expect, it } from "vitest";
import { createCalendar } from "../calendar/calendar.ts";
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
  isWorkingDay(date) {
    const day = new Date(`${date}T00:00:00Z`).getUTCDay();
    return day !== 0 && day !== 6;
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

const plain = { working: weekdays, business: weekdays };
const metropole = {
  working: createCalendar({ zone: "metropole", count: "ouvres" }),
  business: createCalendar({ zone: "metropole", count: "ouvrables" }),
};

describe("deadlines", () => {
  it("counts working days or calendar days as the commitment says", () => {
    expect(dueDate("2027-03-01", { value: 5, unit: "working_days" }, plain)).toBe("2027-03-08");
    expect(dueDate("2027-03-01", { value: 7, unit: "calendar_days" }, plain)).toBe("2027-03-08");
    expect(dueDate("2027-03-05", { value: 1, unit: "working_days" }, plain)).toBe("2027-03-08");
  });

  it("moves a calendar-day deadline that falls on a closed day to the next working day", () => {
    // 1 April 2026 + 30 days is Friday 1 May, Labour Day; Saturday is not worked: Monday 4 May.
    expect(dueDate("2026-04-01", { value: 30, unit: "calendar_days" }, metropole)).toBe("2026-05-04");
    // 1 April + 4 days: Sunday 5 April, then Easter Monday: Tuesday 7 April.
    expect(dueDate("2026-04-01", { value: 4, unit: "calendar_days" }, metropole)).toBe("2026-04-07");
    // An open day stays as it is.
    expect(dueDate("2026-04-01", { value: 7, unit: "calendar_days" }, metropole)).toBe("2026-04-08");
  });

  it("counts business days Monday to Saturday and working days Monday to Friday, holidays aside", () => {
    // From Wednesday 1 April 2026: Thu 2, Fri 3, Sat 4, (Sun 5, Easter Monday 6 off) Tue 7, Wed 8.
    expect(dueDate("2026-04-01", { value: 5, unit: "business_days" }, metropole)).toBe("2026-04-08");
    // Thu 2, Fri 3, (weekend, Easter Monday) Tue 7, Wed 8, Thu 9.
    expect(dueDate("2026-04-01", { value: 5, unit: "working_days" }, metropole)).toBe("2026-04-09");
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
