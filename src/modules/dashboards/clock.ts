/** Today's date (YYYY-MM-DD) in a time zone: what "this year", "last month" mean on the dashboard. */
export function localTimeIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}
