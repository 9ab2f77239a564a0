/**
 * Due-date throughput of the working-day calendar: one million due dates (reception dates drawn in 2020–2030,
 * zones drawn among the seven, n in {5, 7, 14, 15} jours ouvrés), against a ceiling measured in the same run:
 * the same loop doing only the ISO date → day index conversion and one typed-array read.
 *
 *   npx tsx bench/calendar/due-dates.ts
 *
 * A benchmark, not a test: it asserts nothing and prints a Markdown snippet for docs/performance.md.
 */
import { availableParallelism, cpus } from "node:os";
import { createCalendar, HOLIDAY_ZONES } from "../../src/modules/calendar/calendar.ts";
import { DAY_COUNT, dayIndexOf, toDayIndex, toIsoDate } from "../../src/modules/calendar/day-index.ts";
import { workingDayTable } from "../../src/modules/calendar/tables.ts";

const CALLS = 1_000_000;
const ROUNDS = 7;
const DELAYS = [5, 7, 14, 15];

// Seeded (mulberry32), so that two runs compute the same due dates.
let seed = 20270430;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const setupStart = performance.now();
const calendars = HOLIDAY_ZONES.map((zone) => createCalendar({ zone, count: "ouvres" }));
const setupMs = performance.now() - setupStart;

// Inputs drawn before timing: the loops only read them.
const first = dayIndexOf(2020, 1, 1);
const span = dayIndexOf(2031, 1, 1) - first;
const dates: string[] = [];
const zoneOf = new Uint8Array(CALLS);
const delayOf = new Uint8Array(CALLS);
for (let i = 0; i < CALLS; i++) {
  dates.push(toIsoDate(first + Math.floor(random() * span)));
  zoneOf[i] = Math.floor(random() * calendars.length);
  delayOf[i] = DELAYS[Math.floor(random() * DELAYS.length)] ?? 15;
}

function dueDates(): number {
  let check = 0;
  for (let i = 0; i < CALLS; i++) {
    const calendar = calendars[zoneOf[i] ?? 0];
    const due = calendar?.addWorkingDays(dates[i] ?? "", delayOf[i] ?? 0) ?? "";
    // Uses the result, so that the engine cannot drop the call.
    check = (check + due.charCodeAt(9)) | 0;
  }
  return check;
}

// The ceiling reads one of the calendar's own tables, chosen the same way, at the converted index.
const readTables = HOLIDAY_ZONES.map((zone) => workingDayTable(zone, "ouvres").upTo);
function ceiling(): number {
  let check = 0;
  for (let i = 0; i < CALLS; i++) {
    const table = readTables[zoneOf[i] ?? 0];
    const day = toDayIndex(dates[i] ?? "") + (delayOf[i] ?? 0);
    check = (check + (table?.[day < DAY_COUNT ? day : 0] ?? 0)) | 0;
  }
  return check;
}

/** Calls per second of each round, best first; the first rounds also warm the JIT up. */
function measure(run: () => number): number[] {
  const rates: number[] = [];
  let check = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    check ^= run();
    rates.push(CALLS / ((performance.now() - start) / 1000));
  }
  if (check === 0x7fffffff) console.log("");
  return rates.sort((a, b) => b - a);
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)] ?? 0;
const due = measure(dueDates);
const bound = measure(ceiling);

const format = (rate: number) => `${(rate / 1e6).toFixed(2)} M/s`;
const ratio = (a: number, b: number) => `${((a / b) * 100).toFixed(0)} %`;
const machine = `${availableParallelism()} cœurs (nproc), ${cpus()[0]?.model.trim() ?? "processeur inconnu"}, Node ${process.version}`;

console.log(`## Calendrier : échéances en jours ouvrés

Commande : \`npx tsx bench/calendar/due-dates.ts\` — ${machine}.

Un million d'échéances (dates de réception tirées entre 2020 et 2030, zone tirée parmi les ${calendars.length}, délai de 5, 7, 14 ou 15 jours ouvrés), ${ROUNDS} tours ; plafond mesuré dans la même exécution : la même boucle ne faisant que la conversion date ISO → indice de jour et une lecture de tableau.

| mesure | médiane | meilleur tour |
| --- | --- | --- |
| échéances (\`addWorkingDays\`) | ${format(median(due))} | ${format(due[0] ?? 0)} |
| plafond (conversion + lecture) | ${format(median(bound))} | ${format(bound[0] ?? 0)} |
| rapport échéances / plafond | ${ratio(median(due), median(bound))} | ${ratio(due[0] ?? 0, bound[0] ?? 0)} |

Préparation des tables des ${calendars.length} zones (bibliothèque \`date-holidays\`, 2000–2100) : ${setupMs.toFixed(0)} ms, une fois par processus.`);
