import OpeningHours from "opening_hours";

/**
 * Opening hours in the OpenStreetMap `opening_hours` syntax (« Mo-Fr 08:30-12:00,13:30-17:00; PH off »),
 * read by the maintained `opening_hours` library. Pure: no database, no clock of its own.
 *
 * The library reads a Date's *local* fields (getDay, getHours). Vigie serves sites in several time
 * zones from one process, so every evaluation goes through a "wall-clock Date": a Date whose local
 * fields are the site's own date and time, whatever the process time zone.
 */

/** The holiday zones of the calendar module, mapped to the regions the library knows for public holidays (PH). */
const HOLIDAY_STATES: Record<string, string> = {
  metropole: "",
  "alsace-moselle": "Bas-Rhin",
  guadeloupe: "Guadeloupe",
  martinique: "Martinique",
  guyane: "Guyane",
  reunion: "La Réunion",
  mayotte: "Mayotte",
};

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;
export const WEEKDAY_LABELS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"] as const;
/** 15-minute slots in a week, Monday 00:00 first. */
export const SLOTS_PER_DAY = 96;
export const WEEK_SLOTS = 7 * SLOTS_PER_DAY;
export const MAX_HOURS_LENGTH = 500;

export type ParsedHours = { ok: true; value: string; warnings: string[] } | { ok: false; message: string };

function evaluator(value: string, holidayZone = "metropole"): OpeningHours {
  const state = HOLIDAY_STATES[holidayZone] ?? "";
  return new OpeningHours(
    value,
    { lat: 46.6, lon: 2.4, address: { country_code: "fr", state } },
    {
      locale: "fr",
      mode: 0,
      tag_key: undefined,
      map_value: undefined,
      warnings_severity: undefined,
    },
  );
}

/** The library's message without its position markers: « Mo-Fr 25:00 <--- (La plage…) » → « La plage… (près de « Mo-Fr 25:00 ») ». */
function frenchMessage(raw: string): string {
  const match = /^(.*?)\s*<---\s*\((.*?)\)\s*(?:.*)$/s.exec(raw);
  if (!match) return raw.trim();
  const near = (match[1] ?? "").trim();
  const reason = (match[2] ?? "").trim().replace(/\.$/, "");
  return near ? `${reason} (près de « ${near} »).` : `${reason}.`;
}

/**
 * Checks an opening-hours value. A value the library corrects on its own (« Lundi 9h-12h ») is accepted
 * in its corrected form, and the corrections are listed; one it cannot read gets a French message.
 */
export function parseOpeningHours(input: string, holidayZone = "metropole"): ParsedHours {
  const trimmed = input.trim();
  if (!trimmed) return { ok: false, message: "Indiquez les horaires d'ouverture (par exemple « Mo-Fr 08:30-12:00,13:30-17:00 »)." };
  if (trimmed.length > MAX_HOURS_LENGTH) return { ok: false, message: `Horaires : ${MAX_HOURS_LENGTH} caractères au plus.` };
  let oh: OpeningHours;
  try {
    oh = evaluator(trimmed, holidayZone);
  } catch (error) {
    return { ok: false, message: `Horaires non reconnus : ${frenchMessage(String(error instanceof Error ? error.message : error))}` };
  }
  const value = oh.prettifyValue();
  // Once corrected, the value must read back the same way: what is stored is what is shown.
  try {
    evaluator(value, holidayZone);
  } catch {
    return {
      ok: false,
      message: "Horaires non reconnus : la valeur corrigée n'est pas lisible, écrivez-la dans la syntaxe OpenStreetMap.",
    };
  }
  return { ok: true, value, warnings: oh.getWarnings().map(frenchMessage) };
}

/** A Date whose local fields read as the given wall-clock date and minutes of the day. */
function wallClock(date: string, minutes = 0): Date {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y ?? 2000, (m ?? 1) - 1, d ?? 1, Math.floor(minutes / 60), minutes % 60);
}

function isoOf(wall: Date): string {
  return `${wall.getFullYear()}-${String(wall.getMonth() + 1).padStart(2, "0")}-${String(wall.getDate()).padStart(2, "0")}`;
}

const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;

const localFormatters = new Map<string, Intl.DateTimeFormat>();

/** The date (YYYY-MM-DD) and minute of the day an instant falls on in a time zone. */
export function localTime(instant: Date, timeZone: string): { date: string; minutes: number } {
  let f = localFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    localFormatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(instant)) p[part.type] = part.value;
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
}

/** Whether the hours say open at a wall-clock date and minute (public holidays of the zone included). */
export function isOpenAtLocal(hours: string, date: string, minutes: number, holidayZone = "metropole"): boolean {
  return evaluator(hours, holidayZone).getState(wallClock(date, minutes));
}

/** The Monday of the week a date falls in. */
export function mondayOf(date: string): string {
  const wall = wallClock(date);
  const shift = (wall.getDay() + 6) % 7;
  return isoOf(new Date(wall.getFullYear(), wall.getMonth(), wall.getDate() - shift));
}

export type DayIntervals = Array<{ opens: string; closes: string }>;

/**
 * The hours of each weekday (Monday first) over the week starting on `monday`. A week with a public
 * holiday is skipped for the next one (up to eight weeks), so a bank holiday does not look like a
 * weekday closed for good.
 */
export function typicalWeek(hours: string, monday: string, holidayZone = "metropole"): DayIntervals[] {
  const oh = evaluator(hours, holidayZone);
  let start = wallClock(monday);
  for (let attempt = 0; attempt < 8; attempt++) {
    const days = [...Array(7).keys()].map((i) => new Date(start.getFullYear(), start.getMonth(), start.getDate() + i));
    if (!days.some((d) => oh.getPublicHolidayContext(new Date(d.getFullYear(), d.getMonth(), d.getDate(), 12)).isHoliday)) break;
    start = new Date(start.getFullYear(), start.getMonth(), start.getDate() + 7);
  }
  const week: DayIntervals[] = [[], [], [], [], [], [], []];
  const end = new Date(start.getFullYear(), start.getMonth(), start.getDate() + 7);
  for (const [from, to] of oh.getOpenIntervals(start, end)) {
    // An interval over midnight is cut at midnight: schema.org and the table show one day at a time.
    let cursor = from;
    while (cursor < to) {
      const midnight = new Date(cursor.getFullYear(), cursor.getMonth(), cursor.getDate() + 1);
      const stop = to < midnight ? to : midnight;
      const day = Math.round(
        (new Date(cursor.getFullYear(), cursor.getMonth(), cursor.getDate()).getTime() - start.getTime()) / 86_400_000,
      );
      week[day]?.push({ opens: hhmm(cursor), closes: stop.getTime() === midnight.getTime() ? "24:00" : hhmm(stop) });
      cursor = stop;
    }
  }
  return week;
}

/** Open (1) or closed (0) for each 15-minute slot of a typical week, Monday 00:00 first, judged at the slot's start. */
export function weekSlots(week: DayIntervals[]): Uint8Array {
  const slots = new Uint8Array(WEEK_SLOTS);
  const toMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  week.forEach((intervals, day) => {
    for (const { opens, closes } of intervals) {
      const from = Math.ceil(toMinutes(opens) / 15);
      const to = Math.ceil(toMinutes(closes) / 15);
      for (let s = from; s < to; s++) slots[day * SLOTS_PER_DAY + s] = 1;
    }
  });
  return slots;
}

/** Weekdays (0 = Monday) on which the typical week has no opening at all. */
export function closedWeekdays(week: DayIntervals[]): number[] {
  return week.flatMap((intervals, day) => (intervals.length === 0 ? [day] : []));
}

/** One line per weekday, in French: « Lundi : 08:30 – 12:00, 13:30 – 17:00 » or « Fermé ». */
export function frenchWeek(week: DayIntervals[]): Array<{ day: string; text: string }> {
  return week.map((intervals, i) => ({
    day: WEEKDAY_LABELS[i] ?? "",
    text: intervals.length ? intervals.map((t) => `${t.opens.replace(":", " h ")} – ${t.closes.replace(":", " h ")}`).join(", ") : "Fermé",
  }));
}

export interface OpeningHoursSpecification {
  "@type": "OpeningHoursSpecification";
  dayOfWeek?: string[];
  opens: string;
  closes: string;
  validFrom?: string;
  validThrough?: string;
}

/** The week as schema.org OpeningHoursSpecification: one entry per time span, with every weekday it applies to. */
export function openingHoursSpecification(week: DayIntervals[], validFrom?: string): OpeningHoursSpecification[] {
  const bySpan = new Map<string, string[]>();
  week.forEach((intervals, day) => {
    for (const t of intervals) {
      const key = `${t.opens}-${t.closes}`;
      bySpan.set(key, [...(bySpan.get(key) ?? []), `https://schema.org/${WEEKDAYS[day]}`]);
    }
  });
  return [...bySpan].map(([span, days]) => {
    const [opens = "", closes = ""] = span.split("-");
    return {
      "@type": "OpeningHoursSpecification" as const,
      dayOfWeek: days,
      opens,
      // schema.org writes the end of the day as 23:59:59.
      closes: closes === "24:00" ? "23:59:59" : closes,
      ...(validFrom ? { validFrom } : {}),
    };
  });
}

/** A closure day as schema.org: opens and closes at 00:00 on that day only. */
export function closureSpecification(day: string): OpeningHoursSpecification {
  return { "@type": "OpeningHoursSpecification", opens: "00:00", closes: "00:00", validFrom: day, validThrough: day };
}
