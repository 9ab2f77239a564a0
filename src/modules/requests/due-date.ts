/**
 * Deadlines of a request, from its reception date and the delay announced for its channel and
 * kind. Pure: the working-day calendar is passed in.
 */
export interface WorkingCalendar {
  addWorkingDays(date: string, n: number): string;
  countWorkingDays(from: string, to: string): number;
  isWorkingDay(date: string): boolean;
}

export interface Delay {
  value: number;
  unit: "working_days" | "business_days" | "calendar_days";
}

/** The organisation's calendars: Monday to Friday (ouvrés) and Monday to Saturday (ouvrables), both without holidays and closures. */
export interface Calendars {
  working: WorkingCalendar;
  business: WorkingCalendar;
}

export function addCalendarDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * The due date of a request received on `receivedOn`. Working and business days are counted from the
 * day after reception. A delay in calendar days that ends on a day the service is closed (a Sunday, a
 * holiday, a closure) moves to its next working day: the answer is due when someone is there to give it.
 */
export function dueDate(receivedOn: string, delay: Delay, calendars: Calendars): string {
  switch (delay.unit) {
    case "working_days":
      return calendars.working.addWorkingDays(receivedOn, delay.value);
    case "business_days":
      return calendars.business.addWorkingDays(receivedOn, delay.value);
    case "calendar_days": {
      const end = addCalendarDays(receivedOn, delay.value);
      return calendars.working.isWorkingDay(end) ? end : calendars.working.addWorkingDays(end, 1);
    }
  }
}

/**
 * After a pause of the clock (waiting for the requester), the deadline moves by the working days
 * the pause lasted, so the service is not blamed for the time the file was with the requester.
 */
export function shiftAfterPause(dueOn: string, pausedSince: string, resumedOn: string, calendar: WorkingCalendar): string {
  const paused = Math.max(0, calendar.countWorkingDays(pausedSince, resumedOn));
  return calendar.addWorkingDays(dueOn, paused);
}

/** Response time in working days, as the indicators count it (0 when answered on the day of receipt). */
export function responseDays(receivedOn: string, answeredOn: string, calendar: WorkingCalendar): number {
  return Math.max(0, calendar.countWorkingDays(receivedOn, answeredOn));
}

/** Index of the histogram bucket a response time falls in (the last one holds 60 days and more). */
export const HISTOGRAM_SIZE = 61;
export function histogramBucket(days: number): number {
  return Math.min(Math.max(0, Math.floor(days)), HISTOGRAM_SIZE - 1);
}

/** Median and 90th percentile from a histogram of response times (nearest-rank). */
export function percentile(histogram: number[], p: number): number | null {
  const total = histogram.reduce((s, n) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i] ?? 0;
    if (seen >= rank) return i;
  }
  return histogram.length - 1;
}
