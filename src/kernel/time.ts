/**
 * The local calendar day of an instant in a time zone (YYYY-MM-DD), today by default: a deadline, a period,
 * « this year » are local calendar dates. Building an Intl formatter costs
 * far more than using one (a tenth of the CPU of a survey answer, measured): one per zone, kept.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
/** The last answer per zone, for the same UTC minute: a local day never changes within a minute (offsets are whole minutes). */
const recent = new Map<string, { minute: number; day: string }>();

export function localDay(timeZone: string, now = new Date()): string {
  const minute = Math.floor(now.getTime() / 60_000);
  const last = recent.get(timeZone);
  if (last?.minute === minute) return last.day;
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formatters.set(timeZone, formatter);
  }
  const day = formatter.format(now);
  recent.set(timeZone, { minute, day });
  return day;
}

/**
 * The zone of what belongs to the instance rather than to one organisation: the nightly jobs' hours
 * (one queue for every organisation), and instants shown on a page that has no organisation at hand.
 * Everything about an organisation (its deadlines, its « today », its dashboard's periods) uses the
 * organisation's own zone (`organisations.time_zone`: Cayenne, Nouméa… are not Paris).
 */
export const INSTANCE_TIME_ZONE = "Europe/Paris";

/**
 * Today where the organisation of the route is (`:orgId`, whose zone the access check read with its
 * path); the instance's zone on a route without one.
 */
export function todayOfRequest(request: { orgTimeZone?: string | undefined }, now = new Date()): string {
  return localDay(request.orgTimeZone ?? INSTANCE_TIME_ZONE, now);
}
