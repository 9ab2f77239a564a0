import { INSTANCE_TIME_ZONE } from "../kernel/time.ts";
/**
 * French as a careful editor writes it, in one place: numbers, percentages, dates, months, ordinals,
 * plurals and the non-breaking spaces French typography puts before « : ; ! ? % » and inside « ».
 * Pages, PDFs and e-mails all format through here. Pure; Intl-based; formatters are built once
 * because constructing an Intl formatter costs far more than using it.
 */

/** U+202F, the narrow no-break space Intl puts between thousands and before « % ». */
export const NNBSP = "\u202f";
/** U+00A0, the no-break space French puts before « : » and inside « ». */
export const NBSP = "\u00a0";

const numberFormats = new Map<number, Intl.NumberFormat>();
function numberFormat(maxDigits: number): Intl.NumberFormat {
  let f = numberFormats.get(maxDigits);
  if (!f) {
    f = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: maxDigits });
    numberFormats.set(maxDigits, f);
  }
  return f;
}

/** 11752.5 → « 11 752,5 » (narrow no-break space between thousands). */
export function formatNumber(value: number, maxDigits = 0): string {
  return numberFormat(maxDigits).format(value);
}

const plainFormats = new Map<number, Intl.NumberFormat>();
/**
 * For a file a spreadsheet reads back: 11752.53 → « 11752,5 » — the French decimal comma, no thousands
 * separator (a spreadsheet would read « 11 752,5 » as text).
 */
export function formatPlainDecimal(value: number, maxDigits = 1): string {
  let f = plainFormats.get(maxDigits);
  if (!f) {
    f = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: maxDigits, useGrouping: false });
    plainFormats.set(maxDigits, f);
  }
  return f.format(value);
}

/** A share (0.85) → « 85 % »; with `digits`, decimals kept when they say something (« 85,3 % »). */
export function formatPercent(share: number, digits = 0): string {
  return `${formatNumber(share * 100, digits)}${NNBSP}%`;
}

/** A percentage already ×100 (85) → « 85 % ». */
export function formatPercentValue(value: number, digits = 0): string {
  return `${formatNumber(value, digits)}${NNBSP}%`;
}

/**
 * « 1 réponse », « 0 réponse », « 2 réponses », « 11 752 réponses ». French takes the singular below 2.
 * `plural` defaults to the singular with an « s ».
 */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(count)}${NBSP}${Math.abs(count) < 2 ? singular : pluralForm}`;
}

/** The word alone, agreed with the count: « réponse » / « réponses ». */
export function pluralWord(count: number, singular: string, pluralForm = `${singular}s`): string {
  return Math.abs(count) < 2 ? singular : pluralForm;
}

/** 1 → « 1er », 2 → « 2ᵉ » (the superscript e of the Imprimerie nationale); `plain` gives « 2e » for fonts without it. */
export function formatOrdinal(n: number, options: { feminine?: boolean; plain?: boolean } = {}): string {
  if (n === 1) return options.feminine ? "1re" : "1er";
  return `${formatNumber(n)}${options.plain ? "e" : "ᵉ"}`;
}

const MONTHS = [
  "janvier",
  "février",
  "mars",
  "avril",
  "mai",
  "juin",
  "juillet",
  "août",
  "septembre",
  "octobre",
  "novembre",
  "décembre",
] as const;
const WEEKDAYS = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"] as const;

function civilParts(date: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(date);
  if (!m) throw new Error(`date civile illisible : ${date}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3] ?? "1") };
}

/**
 * A civil date (« 2026-12-01 ») → « 1er décembre 2026 ». Civil dates carry no time zone: the day is the
 * organisation's day. With `weekday`: « mardi 1er décembre 2026 ».
 */
export function formatDate(date: string, options: { weekday?: boolean; year?: boolean } = {}): string {
  const { year, month, day } = civilParts(date);
  const dayText = day === 1 ? "1er" : String(day);
  const main = `${dayText}${NBSP}${MONTHS[month - 1]}${options.year === false ? "" : ` ${year}`}`;
  if (!options.weekday) return main;
  const weekday = WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
  return `${weekday} ${main}`;
}

/** « 2026-12-01 » → « 01/12/2026 », for tables where width matters. */
export function formatDateShort(date: string): string {
  const { year, month, day } = civilParts(date);
  return `${String(day).padStart(2, "0")}/${String(month).padStart(2, "0")}/${year}`;
}

/** « 2026-12 » (or a date in that month) → « décembre 2026 ». */
export function formatMonth(month: string, options: { short?: boolean } = {}): string {
  const { year, month: m } = civilParts(month);
  const name = MONTHS[m - 1] ?? "";
  return `${options.short ? abbreviateMonth(name) : name} ${year}`;
}

function abbreviateMonth(name: string): string {
  // The abbreviations of the Lexique des règles typographiques: « janv. », « févr. », « juil. »…
  const short: Record<string, string> = {
    janvier: "janv.",
    février: "févr.",
    avril: "avr.",
    juillet: "juil.",
    septembre: "sept.",
    octobre: "oct.",
    novembre: "nov.",
    décembre: "déc.",
  };
  return short[name] ?? name;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function partsIn(instant: Date, timeZone: string): Record<string, string> {
  let f = dateTimeFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("fr-FR", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    dateTimeFormats.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(instant).map((p) => [p.type, p.value]));
}

/** An instant → its civil date in a time zone (« 2026-12-04 »). */
export function civilDateIn(instant: Date, timeZone: string): string {
  const p = partsIn(instant, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** An instant, in the organisation's zone → « 4 décembre 2026 à 14 h 05 ». */
export function formatDateTime(instant: Date, timeZone: string): string {
  const p = partsIn(instant, timeZone);
  return `${formatDate(`${p.year}-${p.month}-${p.day}`)} à ${formatTime(`${p.hour}:${p.minute}`)}`;
}

/**
 * An instant for tables where width matters → « 04/12/2026 à 14 h 05 », in the organisation's zone
 * (the instance's when the page has none at hand).
 */
export function formatDateTimeShort(instant: Date, timeZone = INSTANCE_TIME_ZONE): string {
  const p = partsIn(instant, timeZone);
  return `${p.day}/${p.month}/${p.year} à ${formatTime(`${p.hour}:${p.minute}`)}`;
}

/** An instant's civil date in a zone, written out → « 1er décembre 2026 ». */
export function formatDateOf(instant: Date, timeZone = INSTANCE_TIME_ZONE): string {
  return formatDate(civilDateIn(instant, timeZone));
}

/** A share (0.853) or nothing → « 85,3 % » or « — »: the usual figure cell. */
export function formatRate(share: number | null | undefined, digits = 1): string {
  return share === null || share === undefined || Number.isNaN(share) ? "—" : formatPercent(share, digits);
}

/** « 14:05 » → « 14 h 05 »; « 09:00 » → « 9 h ». */
export function formatTime(time: string): string {
  const [h, m] = time.split(":");
  const hour = String(Number(h));
  return m && m !== "00" ? `${hour}${NBSP}h${NBSP}${m}` : `${hour}${NBSP}h`;
}

/** « 15 jours ouvrés », « 1 jour calendaire », « 2 semaines » — a delay as the public reads it. */
export function formatDelay(value: number, unit: "working_days" | "business_days" | "calendar_days" | "days"): string {
  const qualifier: Record<typeof unit, string> = {
    working_days: pluralWord(value, "ouvré", "ouvrés"),
    business_days: pluralWord(value, "ouvrable", "ouvrables"),
    calendar_days: pluralWord(value, "calendaire", "calendaires"),
    days: "",
  };
  const q = qualifier[unit];
  return `${plural(value, "jour")}${q ? ` ${q}` : ""}`;
}

/**
 * French spacing in running text: a no-break space before « : », a narrow one before « ; ! ? % »,
 * and inside « ». Spaces a writer typed are replaced, missing ones added; URLs and times (« 14:05 ») are left alone.
 */
export function frenchSpacing(text: string): string {
  return text
    .replace(/«[ \u00a0\u202f]*/g, `«${NBSP}`)
    .replace(/[ \u00a0\u202f]*»/g, `${NBSP}»`)
    .replace(/(\S)[ \u00a0\u202f]*([;!?%])(?=\s|$|[»).,])/g, `$1${NNBSP}$2`)
    .replace(/([^\s\d/:])[ \u00a0\u202f]*:(?=\s|$)/g, `$1${NBSP}:`);
}

/**
 * Text for the PDF standard fonts (WinAnsi): the narrow no-break space and the superscript ᵉ are
 * not in that encoding and would print as garbage; the plain no-break space and « e » are.
 */
export function forWinAnsi(text: string): string {
  return text.replaceAll(NNBSP, NBSP).replaceAll("ᵉ", "e");
}
