import { createRequire } from "node:module";
import type Holidays from "date-holidays";

// Required on the first holiday asked for, not at start (issue #17, point 6): ~35 MB and ~0.4 s to load.
let library: typeof Holidays | undefined;
function holidaysLibrary(): typeof Holidays {
  library ??= createRequire(import.meta.url)("date-holidays") as typeof Holidays;
  return library;
}

/**
 * Public holidays (jours fériés légaux) come from date-holidays rather than a hand-typed list: it computes
 * Easter-based days, knows the French subdivisions and the overseas departments, and is maintained upstream.
 */
export const HOLIDAY_ZONES = ["metropole", "alsace-moselle", "guadeloupe", "martinique", "guyane", "reunion", "mayotte"] as const;
export type HolidayZone = (typeof HOLIDAY_ZONES)[number];

export interface PublicHoliday {
  /** "YYYY-MM-DD" */
  date: string;
  /** French name, as the library gives it. */
  name: string;
}

export function isHolidayZone(value: unknown): value is HolidayZone {
  return typeof value === "string" && (HOLIDAY_ZONES as readonly string[]).includes(value);
}

/**
 * Where the library keeps each zone. Alsace-Moselle is Moselle (57): the library gives Bas-Rhin (67) and
 * Haut-Rhin (68) the same two extra days, Good Friday and 26 December (Code du travail, L3134-13). The law
 * limits Good Friday to communes with a Protestant or mixed church; like the library and common practice,
 * the zone keeps it everywhere in the three departments.
 * The overseas departments are their own ISO 3166 codes there; each adds its abolition-of-slavery day, whose
 * dates the library has right (Code du travail, L3422-2: Guadeloupe 27 May, Martinique 22 May, Guyane 10 June,
 * La Réunion 20 December, Mayotte 27 April).
 */
const LIBRARY_ZONES: Record<HolidayZone, { country: string; state?: string }> = {
  metropole: { country: "FR" },
  "alsace-moselle": { country: "FR", state: "57" },
  guadeloupe: { country: "GP" },
  martinique: { country: "MQ" },
  guyane: { country: "GF" },
  reunion: { country: "RE" },
  mayotte: { country: "YT" },
};

/**
 * Library rules marked "public" that the law does not make jours fériés, removed as documented exceptions.
 * Good Friday ("easter -2") in Guadeloupe and Martinique: the law's lists (Code du travail, L3133-1 for the
 * whole country and L3422-2 for the overseas departments) have no such day there; it is a local custom
 * (usage) or a collective agreement's day off. An organisation that closes then records it as a closure.
 */
const NOT_STATUTORY: Partial<Record<HolidayZone, readonly string[]>> = {
  guadeloupe: ["easter -2"],
  martinique: ["easter -2"],
};

const instances = new Map<HolidayZone, Holidays>();

function libraryFor(zone: HolidayZone): Holidays {
  let instance = instances.get(zone);
  if (!instance) {
    const { country, state } = LIBRARY_ZONES[zone];
    instance = state
      ? new (holidaysLibrary())(country, state, { languages: ["fr"] })
      : new (holidaysLibrary())(country, { languages: ["fr"] });
    instances.set(zone, instance);
  }
  return instance;
}

/** The zone's statutory holidays in a year, by date. Slow (about 3 ms): the calendar tables call it once per year. */
export function statutoryHolidays(zone: HolidayZone, year: number): PublicHoliday[] {
  const excluded = NOT_STATUTORY[zone] ?? [];
  return (
    libraryFor(zone)
      .getHolidays(year, "fr")
      // Observances (Pentecost Sunday, Mothers' Day) and optional days (Victor Schœlcher Day) are not days off.
      .filter((h) => h.type === "public" && !excluded.includes(h.rule))
      // The library's date is local to the zone ("YYYY-MM-DD hh:mm:ss"), so its first ten characters are the day.
      .map((h) => ({ date: h.date.slice(0, 10), name: h.name }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
  );
}
