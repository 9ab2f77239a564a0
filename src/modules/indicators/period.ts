import { formatDate } from "../../ui/format.ts";
import type { Period } from "./indicator.ts";

/** Dashboard periods. Pure: "today" is passed in. */
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const at = (d: string) => Date.parse(`${d}T00:00:00Z`);

function endOfMonth(year: number, month0: number): string {
  return iso(Date.UTC(year, month0 + 1, 0));
}

/** Whether a period is made of whole calendar months, and how many. */
function wholeMonths(p: Period): number | null {
  if (!p.from.endsWith("-01")) return null;
  const to = new Date(at(p.to));
  if (iso(to.getTime()) !== endOfMonth(to.getUTCFullYear(), to.getUTCMonth())) return null;
  const from = new Date(at(p.from));
  return (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth() + 1;
}

/**
 * The period a trend compares with: the same number of whole months just before (a month, a quarter,
 * a year), or else the same number of days just before.
 */
export function previousPeriod(p: Period): Period {
  const months = wholeMonths(p);
  if (months !== null) {
    const from = new Date(at(p.from));
    const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - months, 1);
    return { from: iso(start), to: iso(at(p.from) - DAY) };
  }
  const length = Math.round((at(p.to) - at(p.from)) / DAY) + 1;
  return { from: iso(at(p.from) - length * DAY), to: iso(at(p.from) - DAY) };
}

export interface PeriodPreset {
  id: string;
  label: string;
  period: Period;
}

export function presets(today: string): PeriodPreset[] {
  const d = new Date(at(today));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const q = Math.floor(m / 3);
  return [
    { id: "12m", label: "12 derniers mois", period: { from: iso(Date.UTC(y, m - 12, 1)), to: endOfMonth(y, m - 1) } },
    { id: "ytd", label: `Année ${y} à ce jour`, period: { from: `${y}-01-01`, to: today } },
    { id: "last-year", label: `Année ${y - 1}`, period: { from: `${y - 1}-01-01`, to: `${y - 1}-12-31` } },
    { id: "last-quarter", label: "Trimestre précédent", period: { from: iso(Date.UTC(y, (q - 1) * 3, 1)), to: endOfMonth(y, q * 3 - 1) } },
    { id: "last-month", label: "Mois précédent", period: { from: iso(Date.UTC(y, m - 1, 1)), to: endOfMonth(y, m - 1) } },
  ];
}

export function formatPeriod(p: Period): string {
  return `du ${formatDate(p.from)} au ${formatDate(p.to)}`;
}
