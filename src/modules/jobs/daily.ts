/** The calendar date (YYYY-MM-DD) and the hour (0–23) an instant falls on in a time zone. */
export interface LocalDateHour {
  date: string;
  hour: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // hourCycle h23: midnight is hour 0, never 24 as some locales print it.
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localDateHour(now: Date, timeZone: string): LocalDateHour {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(now)) parts[part.type] = part.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/**
 * The dedupe key of a daily job's occurrence if it is due at `now`, else null. "Due" means the local
 * hour has been reached: on the night clocks go forward the missing hour counts as reached.
 * The key names the local date, so every server and every restart agree on which run it is.
 */
export function dailyOccurrence(name: string, hour: number, timeZone: string, now: Date): string | null {
  const local = localDateHour(now, timeZone);
  return local.hour >= hour ? `${name}:${local.date}` : null;
}
