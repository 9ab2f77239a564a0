/**
 * A realistic national dataset for the requests benchmark (issue #4), deterministic for a given seed:
 *
 * - an organisation tree: 1 network → the 13 metropolitan regions → their 96 departments → N sites (5,000 by
 *   default), sites spread over departments by a drawn weight (at least one per department); the departments of
 *   Moselle, Bas-Rhin and Haut-Rhin use the Alsace-Moselle holiday zone;
 * - requests over 3 years (2023-01-01 to 2025-12-31), in date order like an export: seasonal volume (summer and
 *   Christmas lows, tax-season and back-to-school peaks, +8 % a year), week-day profile (Saturday low, Sunday and
 *   public holidays web and e-mail only), channels (counter 42 %, phone 25 %, e-mail 16 %, web 12 %, letter 5 %),
 *   kinds (requests 88 %, complaints 9 %, suggestions 3 %), busy and quiet sites (log-normal site weight), a
 *   response time in working days by channel and kind, a share answered in time that depends on the site (70 to
 *   97 %), the answer and the closing dated with the site's working-day calendar, and the state as of
 *   2025-12-31: recent requests still open, 0.5 % never answered (the stale backlog).
 *
 * The announced delays are those of the Marianne 2008 framework (the benchmark adopts it on the network):
 * letters 15 working days, e-mails 5 (requests), complaints and suggestions 15 on every channel; none for the
 * other requests, which then have no due date — as registerRequest computes them.
 *
 *   npx tsx bench/requests/generate.ts --sites 5000 --requests 20000000 --out /tmp/vigie-national
 *
 * writes organisations.tsv and requests.tsv (PostgreSQL COPY text format, `\N` for null; the site is named by its
 * key, which run.ts maps to the organisation's id). run.ts does not read those files: it streams the same rows.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createCalendar, type HolidayZone, type WorkingDayCalendar } from "../../src/modules/calendar/calendar.ts";
import { dayIndexOf, toDayIndex, toIsoDate } from "../../src/modules/calendar/day-index.ts";
import type { Channel, RequestKind } from "../../src/modules/frameworks/channels.ts";
import type { OrgKind } from "../../src/modules/organisations/organisation.ts";
import type { RequestStatus } from "../../src/modules/requests/request-status.ts";

export const PERIOD_FROM = "2023-01-01";
export const PERIOD_TO = "2025-12-31";
/** The day the dataset describes: what is answered after it is still open. */
export const AS_OF = PERIOD_TO;

export interface GeneratorOptions {
  sites: number;
  requests: number;
  seed: number;
}

export const DEFAULT_OPTIONS: GeneratorOptions = { sites: 5_000, requests: 20_000_000, seed: 20261123 };

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Index drawn from cumulative weights (last element = total). */
function pick(cumulative: Float64Array, random: () => number): number {
  const total = cumulative[cumulative.length - 1] ?? 0;
  const x = random() * total;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((cumulative[mid] ?? 0) > x) high = mid;
    else low = mid + 1;
  }
  return low;
}

function cumulate(weights: number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => {
    sum += w;
    out[i] = sum;
  });
  return out;
}

// ── The tree ────────────────────────────────────────────────────────────────────────────────────────────────

const REGIONS: Array<[string, string[]]> = [
  ["Auvergne-Rhône-Alpes", ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]],
  ["Bourgogne-Franche-Comté", ["21", "25", "39", "58", "70", "71", "89", "90"]],
  ["Bretagne", ["22", "29", "35", "56"]],
  ["Centre-Val de Loire", ["18", "28", "36", "37", "41", "45"]],
  ["Corse", ["2A", "2B"]],
  ["Grand Est", ["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"]],
  ["Hauts-de-France", ["02", "59", "60", "62", "80"]],
  ["Île-de-France", ["75", "77", "78", "91", "92", "93", "94", "95"]],
  ["Normandie", ["14", "27", "50", "61", "76"]],
  ["Nouvelle-Aquitaine", ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]],
  ["Occitanie", ["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"]],
  ["Pays de la Loire", ["44", "49", "53", "72", "85"]],
  ["Provence-Alpes-Côte d'Azur", ["04", "05", "06", "13", "83", "84"]],
];
const ALSACE_MOSELLE = new Set(["57", "67", "68"]);

export interface OrgSpec {
  /** Stable key: "N", "R3", "D69", "S0042". */
  key: string;
  parentKey: string | null;
  kind: OrgKind;
  name: string;
  holidayZone: HolidayZone;
  postcode: string | null;
}

export interface Tree {
  /** Parents before children. */
  orgs: OrgSpec[];
  sites: OrgSpec[];
  /** Cumulative request weight of each site, in the order of `sites`. */
  siteWeights: Float64Array;
  /** Share of answers with a delay given in time, by site. */
  siteInTime: Float64Array;
  siteZone: HolidayZone[];
}

export function generateTree(options: Pick<GeneratorOptions, "sites" | "seed">): Tree {
  const random = rng(options.seed);
  const orgs: OrgSpec[] = [
    { key: "N", parentKey: null, kind: "network", name: "Réseau national France services", holidayZone: "metropole", postcode: null },
  ];
  const departments: OrgSpec[] = [];
  REGIONS.forEach(([name, codes], r) => {
    orgs.push({ key: `R${r}`, parentKey: "N", kind: "region", name: `Région ${name}`, holidayZone: "metropole", postcode: null });
    for (const code of codes) {
      const zone: HolidayZone = ALSACE_MOSELLE.has(code) ? "alsace-moselle" : "metropole";
      const dept = { key: `D${code}`, parentKey: `R${r}`, kind: "department" as const, name: `Département ${code}`, holidayZone: zone };
      departments.push({ ...dept, postcode: null });
    }
  });
  orgs.push(...departments);
  if (options.sites < departments.length) throw new Error(`Au moins ${departments.length} sites (un par département).`);
  // One site per department, the others spread by a log-normal department weight.
  const deptCumulative = cumulate(departments.map(() => Math.exp(0.6 * normal(random))));
  const perDept = departments.map(() => 1);
  for (let i = departments.length; i < options.sites; i++) {
    const d = pick(deptCumulative, random);
    perDept[d] = (perDept[d] ?? 0) + 1;
  }
  const sites: OrgSpec[] = [];
  const weights: number[] = [];
  const inTime = new Float64Array(options.sites);
  departments.forEach((dept, d) => {
    const code = dept.key.slice(1);
    for (let n = 1; n <= (perDept[d] ?? 0); n++) {
      const i = sites.length;
      const postcode = `${code.replace("2A", "20").replace("2B", "20")}${String(100 + ((n * 37) % 900)).padStart(3, "0")}`;
      sites.push({
        key: `S${String(i).padStart(5, "0")}`,
        parentKey: dept.key,
        kind: "site",
        name: `France services ${code} n° ${n}`,
        holidayZone: dept.holidayZone,
        postcode,
      });
      weights.push(Math.exp(0.8 * normal(random)));
      inTime[i] = 0.7 + 0.27 * random();
    }
  });
  orgs.push(...sites);
  return { orgs, sites, siteWeights: cumulate(weights), siteInTime: inTime, siteZone: sites.map((s) => s.holidayZone) };
}

// ── The requests ────────────────────────────────────────────────────────────────────────────────────────────

/** The reply delays of Marianne 2008 (working days), which run.ts checks against replyDelayFor. */
export function announcedDelay(channel: Channel, kind: RequestKind): number | null {
  if (kind !== "request") return 15;
  if (channel === "letter") return 15;
  if (channel === "email") return 5;
  return null;
}

export interface GeneratedRequest {
  /** Index in tree.sites. */
  site: number;
  /** Receipt number within the site and year: 2024-000042. */
  number: string;
  kind: RequestKind;
  channel: Channel;
  status: RequestStatus;
  subject: string;
  requesterName: string | null;
  requesterEmail: string | null;
  receivedOn: string;
  /** Announced delay in working days, null when none applies. */
  delay: number | null;
  dueOn: string | null;
  answeredOn: string | null;
  closedOn: string | null;
  /** Unique, 43 characters like a base64url SHA-256. */
  trackingHash: string;
}

const CHANNEL_LIST: Channel[] = ["counter", "phone", "email", "web", "letter"];
const CHANNEL_WEIGHTS = cumulate([42, 25, 16, 12, 5]);
const CLOSED_DAY_CHANNELS: Channel[] = ["web", "email"];
const KIND_LIST: RequestKind[] = ["request", "complaint", "suggestion"];
const KIND_WEIGHTS = cumulate([88, 9, 3]);
const MONTH_FACTOR = [1.1, 1.0, 1.1, 1.15, 1.1, 1.0, 0.8, 0.55, 1.15, 1.1, 1.0, 0.8];
const WEEKDAY_FACTOR = [0.03, 1.15, 1.05, 0.95, 1.05, 0.9, 0.25]; // Sunday first
const SUBJECTS: Record<RequestKind, string[]> = {
  request: [
    "Demande d'acte de naissance",
    "Renouvellement de carte d'identité",
    "Aide à la déclaration de revenus",
    "Dossier de retraite",
    "Prime d'activité",
    "Certificat d'immatriculation",
    "Attestation de droits",
    "Changement d'adresse",
    "Prise de rendez-vous",
    "Dossier d'allocation logement",
  ],
  complaint: ["Délai de traitement trop long", "Réponse incomplète", "Accueil téléphonique injoignable", "Erreur dans un courrier"],
  suggestion: ["Horaires d'ouverture", "Signalétique de l'accueil", "Formulaire en ligne"],
};
const NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent"];
const TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Mean response time in working days when the request is answered normally. */
function meanDays(channel: Channel, kind: RequestKind): number {
  if (kind === "complaint") return 8;
  if (kind === "suggestion") return 10;
  switch (channel) {
    case "counter":
      return 0.6;
    case "phone":
      return 1.2;
    case "email":
      return 2.5;
    case "web":
      return 3.5;
    case "letter":
      return 8;
  }
}

function geometric(mean: number, random: () => number): number {
  if (mean <= 0) return 0;
  const p = 1 / (1 + mean);
  return Math.floor(Math.log(1 - random()) / Math.log(1 - p));
}

/**
 * The requests, in date order. Yields exactly `options.requests` rows; the same options give the same rows.
 */
export function* generateRequests(tree: Tree, options: Pick<GeneratorOptions, "requests" | "seed">): Generator<GeneratedRequest> {
  const random = rng(options.seed ^ 0x5eed);
  const calendars = new Map<HolidayZone, WorkingDayCalendar>();
  const calendarOf = (zone: HolidayZone) => {
    let c = calendars.get(zone);
    if (!c) {
      c = createCalendar({ zone, count: "ouvres" });
      calendars.set(zone, c);
    }
    return c;
  };
  const metropole = calendarOf("metropole");
  const first = toDayIndex(PERIOD_FROM);
  const last = toDayIndex(PERIOD_TO);
  const asOf = AS_OF;
  // Expected share of each day.
  const dayWeights: number[] = [];
  for (let d = first; d <= last; d++) {
    const iso = toIsoDate(d);
    const year = Number(iso.slice(0, 4));
    const month = Number(iso.slice(5, 7));
    const weekday = (d - dayIndexOf(2000, 1, 2) + 7 * 10_000) % 7; // 2000-01-02 was a Sunday
    const holiday = weekday !== 0 && weekday !== 6 && !metropole.isWorkingDay(iso);
    const w = (MONTH_FACTOR[month - 1] ?? 1) * (holiday ? 0.03 : (WEEKDAY_FACTOR[weekday] ?? 1)) * 1.08 ** (year - 2023);
    dayWeights.push(w);
  }
  const totalWeight = dayWeights.reduce((s, w) => s + w, 0);
  const counters = new Int32Array(tree.sites.length * 4);
  let emitted = 0;
  let carry = 0;
  let serial = 0;
  for (let d = first; d <= last; d++) {
    const w = dayWeights[d - first] ?? 0;
    carry += (options.requests * w) / totalWeight;
    let n = d === last ? options.requests - emitted : Math.floor(carry);
    carry -= n;
    if (n < 0) n = 0;
    const receivedOn = toIsoDate(d);
    const year = Number(receivedOn.slice(0, 4));
    const openDay = (d - dayIndexOf(2000, 1, 2) + 70_000) % 7 !== 0 && metropole.isWorkingDay(receivedOn);
    for (let i = 0; i < n; i++) {
      const site = pick(tree.siteWeights, random);
      const zone = tree.siteZone[site] ?? "metropole";
      const calendar = zone === "metropole" ? metropole : calendarOf(zone);
      const channel = openDay
        ? (CHANNEL_LIST[pick(CHANNEL_WEIGHTS, random)] ?? "counter")
        : (CLOSED_DAY_CHANNELS[random() < 0.6 ? 0 : 1] ?? "web");
      const kind = KIND_LIST[pick(KIND_WEIGHTS, random)] ?? "request";
      const delay = announcedDelay(channel, kind);
      const dueOn = delay === null ? null : calendar.addWorkingDays(receivedOn, delay);
      // Response time in working days.
      let days: number;
      if (delay !== null) {
        days =
          random() < (tree.siteInTime[site] ?? 0.85)
            ? Math.min(delay, geometric(meanDays(channel, kind), random))
            : delay + 1 + geometric(6, random);
      } else {
        days = geometric(meanDays(channel, kind), random);
      }
      const abandoned = random() < 0.005;
      const answer = calendar.addWorkingDays(receivedOn, Math.min(days, 400));
      let status: RequestStatus;
      let answeredOn: string | null = null;
      let closedOn: string | null = null;
      if (abandoned || answer > asOf) {
        const r = random();
        status = r < 0.25 ? "received" : r < 0.45 ? "acknowledged" : r < 0.9 ? "in_progress" : "waiting";
      } else {
        answeredOn = answer;
        if (random() < 0.7) {
          status = "closed";
          const close = calendar.addWorkingDays(answer, geometric(2, random));
          // ISO dates compare as text.
          closedOn = close;
          if (closedOn > asOf) closedOn = asOf;
        } else status = "answered";
      }
      const counterIndex = site * 4 + (year - 2023);
      const seq = (counters[counterIndex] ?? 0) + 1;
      counters[counterIndex] = seq;
      const subjects = SUBJECTS[kind];
      const named = channel === "letter" || channel === "email" || channel === "web" || kind !== "request";
      const name = named ? `${NAMES[Math.floor(random() * NAMES.length)] ?? "Martin"}` : null;
      // Random part first (index entries land anywhere, like a hash), serial last (unique).
      let token = "";
      for (let k = 0; k < 5; k++) {
        const x = Math.floor(random() * 4294967296);
        for (let b = 0; b < 5; b++) token += TOKEN_CHARS[(x >>> (b * 6)) & 63];
      }
      token += (serial++).toString(36).padStart(18, "0");
      yield {
        site,
        number: `${year}-${String(seq).padStart(6, "0")}`,
        kind,
        channel,
        status,
        subject: subjects[Math.floor(random() * subjects.length)] ?? "Demande",
        requesterName: name,
        requesterEmail: channel === "email" || channel === "web" ? `usager.${serial}@example.org` : null,
        receivedOn,
        delay,
        dueOn,
        answeredOn,
        closedOn,
        trackingHash: token,
      };
      emitted++;
    }
  }
}

/** Parses --name value flags (numbers only where the default is a number). */
export function parseFlags<T extends Record<string, string | number | boolean>>(defaults: T, argv = process.argv.slice(2)): T {
  const out: Record<string, string | number | boolean> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) throw new Error(`Argument inattendu : ${arg}`);
    const name = arg.slice(2);
    if (!(name in defaults)) throw new Error(`Option inconnue : ${arg} (options : ${Object.keys(defaults).join(", ")})`);
    const current = defaults[name];
    if (typeof current === "boolean") {
      out[name] = true;
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`Valeur manquante après ${arg}`);
    out[name] = typeof current === "number" ? Number(value.replace(/_/g, "")) : value;
    if (typeof current === "number" && !Number.isFinite(out[name])) throw new Error(`Nombre attendu après ${arg}`);
  }
  return out as T;
}

const esc = (v: string | number | null) => (v === null ? "\\N" : String(v));

/** One line of the requests file, COPY text format, the site by its key. */
export function requestLine(r: GeneratedRequest, siteKey: string): string {
  const fields = [siteKey, r.number, r.kind, r.channel, r.status, r.subject, r.requesterName, r.requesterEmail, r.receivedOn];
  return fields
    .concat([r.delay === null ? null : String(r.delay), r.dueOn, r.answeredOn, r.closedOn, r.trackingHash])
    .map(esc)
    .join("\t");
}

async function main() {
  const flags = parseFlags({ ...DEFAULT_OPTIONS, out: "/tmp/vigie-national" });
  await mkdir(flags.out, { recursive: true });
  const started = performance.now();
  const tree = generateTree(flags);
  const orgFile = createWriteStream(path.join(flags.out, "organisations.tsv"));
  for (const o of tree.orgs) orgFile.write(`${[o.key, o.parentKey, o.kind, o.name, o.holidayZone, o.postcode].map(esc).join("\t")}\n`);
  orgFile.end();
  const file = createWriteStream(path.join(flags.out, "requests.tsv"));
  let lines: string[] = [];
  let count = 0;
  for (const r of generateRequests(tree, flags)) {
    lines.push(requestLine(r, tree.sites[r.site]?.key ?? ""));
    if (lines.length === 10_000) {
      if (!file.write(`${lines.join("\n")}\n`)) await once(file, "drain");
      lines = [];
    }
    count++;
  }
  if (lines.length) file.write(`${lines.join("\n")}\n`);
  await new Promise<void>((resolve) => file.end(() => resolve()));
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${tree.orgs.length} organisations (${tree.sites.length} sites), ${count} demandes écrites dans ${flags.out} en ${seconds.toFixed(1)} s (${Math.round(count / seconds)} lignes/s).`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
