/**
 * Calendar dates as day indexes: 0 is 2000-01-01, the first day the working-day tables cover.
 * Indexes make "next day" a +1 and let the tables be plain typed arrays; ISO strings stay the API.
 */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2100;
export const FIRST_DATE = "2000-01-01";
export const LAST_DATE = "2100-12-31";

/** Days from 1970-01-01 (proleptic Gregorian), after Howard Hinnant's days_from_civil: no Date object, no time zone. */
export function epochDay(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

const ORIGIN = epochDay(FIRST_YEAR, 1, 1);
/** Number of days covered: 2000-01-01..2100-12-31. */
export const DAY_COUNT = epochDay(LAST_YEAR + 1, 1, 1) - ORIGIN;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (MONTH_LENGTHS[month - 1] ?? 0);
}

/** Index of a valid year-month-day, which may fall outside the covered range (negative or ≥ DAY_COUNT). */
export function dayIndexOf(year: number, month: number, day: number): number {
  return epochDay(year, month, day) - ORIGIN;
}

// Character codes read by hand: parsing is on the hot path of every due-date computation.
const ZERO = 48;
const DASH = 45;

function digit(text: string, at: number): number {
  const d = text.charCodeAt(at) - ZERO;
  return d >= 0 && d <= 9 ? d : Number.NaN;
}

/** "YYYY-MM-DD" → day index; throws a French message for a malformed date or one outside 2000–2100. */
export function toDayIndex(iso: string): number {
  const wellFormed = typeof iso === "string" && iso.length === 10 && iso.charCodeAt(4) === DASH && iso.charCodeAt(7) === DASH;
  const year = wellFormed ? digit(iso, 0) * 1000 + digit(iso, 1) * 100 + digit(iso, 2) * 10 + digit(iso, 3) : Number.NaN;
  const month = wellFormed ? digit(iso, 5) * 10 + digit(iso, 6) : Number.NaN;
  const day = wellFormed ? digit(iso, 8) * 10 + digit(iso, 9) : Number.NaN;
  // A non-digit anywhere makes the sum NaN.
  if (Number.isNaN(year + month + day)) {
    throw new RangeError(`Date invalide : « ${String(iso)} ». Format attendu : AAAA-MM-JJ.`);
  }
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))) {
    throw new RangeError(`Date invalide : « ${iso} » n'existe pas dans le calendrier.`);
  }
  const index = dayIndexOf(year, month, day);
  if (index < 0 || index >= DAY_COUNT) {
    throw new RangeError(`Date hors de la période prise en charge (${FIRST_DATE} au ${LAST_DATE}) : ${iso}.`);
  }
  return index;
}

/** 0 = Monday … 6 = Sunday. 2000-01-01 was a Saturday. */
export function weekdayOf(index: number): number {
  return (index + 5) % 7;
}

let isoTable: string[] | undefined;

/** Day index → "YYYY-MM-DD", from a table built once (about 37,000 strings) so formatting costs an array read. */
export function toIsoDate(index: number): string {
  if (!isoTable) isoTable = buildIsoTable();
  const iso = isoTable[index];
  if (iso === undefined) {
    throw new RangeError(`Date hors de la période prise en charge (${FIRST_DATE} au ${LAST_DATE}).`);
  }
  return iso;
}

function buildIsoTable(): string[] {
  const table: string[] = [];
  const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
  for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) {
    for (let month = 1; month <= 12; month++) {
      const prefix = `${year}-${pad(month)}-`;
      const length = daysInMonth(year, month);
      for (let day = 1; day <= length; day++) table.push(prefix + pad(day));
    }
  }
  return table;
}
