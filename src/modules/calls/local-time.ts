/**
 * PBX logs give the wall-clock time of the PBX, with no offset: it is read as the time of the
 * organisation's zone. The rollup counts calls by the local day and quarter of an hour, taken from
 * the written time itself; the instant (stored as timestamptz) needs the zone's offset, computed once
 * per local hour and kept, since a file of millions of calls covers only a few thousand hours.
 */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?$/;
const FRENCH = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2}))?$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return MONTH_DAYS[month - 1] ?? 0;
}

/** Two or four digits at `at`, or -1: the fast reading of Asterisk's own `2026-03-02 08:15:00`. */
function digits(t: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function checked(year: number, month: number, day: number, hour: number, minute: number, second: number): LocalDateTime | null {
  if (year < 1990 || year > 2100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { year, month, day, hour, minute, second };
}

/** `2026-03-02 08:15:00` (Asterisk, ISO) or `02/03/2026 08:15(:00)` (French): null when it is neither, or no such day. */
export function parseLocalDateTime(text: string): LocalDateTime | null {
  if (text.length === 19 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && text.charCodeAt(10) === 32) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    if (
      text.charCodeAt(13) === 58 &&
      text.charCodeAt(16) === 58 &&
      year >= 0 &&
      month >= 0 &&
      day >= 0 &&
      hour >= 0 &&
      minute >= 0 &&
      second >= 0
    ) {
      return checked(year, month, day, hour, minute, second);
    }
  }
  const t = text.trim();
  let m = ISO.exec(t);
  if (m) return checked(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  m = FRENCH.exec(t);
  if (m) return checked(Number(m[3]), Number(m[2]), Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  return null;
}

export function localDay(t: LocalDateTime): string {
  return `${t.year}-${t.month < 10 ? "0" : ""}${t.month}-${t.day < 10 ? "0" : ""}${t.day}`;
}

/** ISO day of the week, 1 = Monday … 7 = Sunday. */
export function isoDayOfWeek(t: Pick<LocalDateTime, "year" | "month" | "day">): number {
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** Quarter of an hour of the day, 0 (00:00–00:14) … 95 (23:45–23:59). */
export function slotOf(t: Pick<LocalDateTime, "hour" | "minute">): number {
  return t.hour * 4 + Math.floor(t.minute / 15);
}

/** Seconds between two wall-clock times, as written (a change of clock in between is ignored). */
export function secondsBetween(a: LocalDateTime, b: LocalDateTime): number {
  const ms = (t: LocalDateTime) => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return Math.round((ms(b) - ms(a)) / 1000);
}

/** Turns local times of one zone into instants, with the offset kept per local hour. */
export function localClock(timeZone: string): (t: LocalDateTime) => Date {
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  /** Offset of the zone at an instant, in ms (local − UTC). */
  const offsetAt = (utc: number) => {
    const p = Object.fromEntries(format.formatToParts(new Date(utc)).map((x) => [x.type, x.value]));
    const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    return local - Math.floor(utc / 1000) * 1000;
  };
  const offsets = new Map<number, number>();
  return (t) => {
    const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
    const hourKey = Math.floor(asUtc / 3_600_000);
    let offset = offsets.get(hourKey);
    if (offset === undefined) {
      // The offsets a day before and a day after; a candidate holds if the zone has that offset at
      // the instant it gives. In the hour lived twice (autumn) both hold and the first is taken; in
      // the hour that does not exist (spring) neither does, and the offset before the change is used.
      const hourStart = hourKey * 3_600_000;
      const before = offsetAt(hourStart - 86_400_000);
      const after = offsetAt(hourStart + 86_400_000);
      const holds = (o: number) => offsetAt(hourStart - o) === o;
      const valid = [before, after].filter(holds).sort((a, b) => b - a);
      offset = valid[0] ?? before;
      offsets.set(hourKey, offset);
    }
    return new Date(asUtc - offset);
  };
}
