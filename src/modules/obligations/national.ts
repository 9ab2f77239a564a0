import { quoteCsv } from "../../app/spreadsheet.ts";
import { readCsv } from "../../app/spreadsheets/csv.ts";
import { SpreadsheetError } from "../../app/spreadsheets/limits.ts";
import { type OrgFigure, PUBLISHED_SET } from "../publication/publication.service.ts";

/* Read when first needed, not at load: the indicator sources import this module's service, which reaches the publication module. */
let spLabels: Record<string, string> | undefined;
const spLabelOf = (key: string) => {
  spLabels ??= Object.fromEntries(PUBLISHED_SET.map((p) => [p.key, p.spLabel]));
  return spLabels[key];
};

/**
 * The national formats of Services Publics+ (docs/open-data.md, « Formats nationaux »). Pure.
 *
 * The export follows the column list of test/fixtures/export-indicateurs.csv. That list was rebuilt
 * from the published description of the data set (one line per structure × indicator × year, the value
 * in percent, the volume it rests on, the structure's SIRET as the key); the exact column names of the
 * live data set could not be confirmed from here (docs/open-data.md says so): change the fixture and
 * NATIONAL_COLUMNS together when they are.
 */
export const NATIONAL_COLUMNS = ["siret", "structure", "indicateur", "annee", "valeur", "unite", "volume", "cible", "date_calcul"] as const;

export type NationalRow = Record<(typeof NATIONAL_COLUMNS)[number], string | number | null>;

/**
 * The lines of the national export: the five SP+ indicators, all channels together, at site level, over
 * a whole calendar year. Shares become percentages (87.5), net satisfaction stays in points.
 */
export function nationalRows(figures: OrgFigure[], year: number): NationalRow[] {
  const rows: NationalRow[] = [];
  for (const f of figures) {
    const spLabel = spLabelOf(f.key);
    if (!spLabel || f.channel !== null || f.orgKind !== "site") continue;
    if (f.periodFrom !== `${year}-01-01` || f.periodTo !== `${year}-12-31`) continue;
    const scale = f.unit === "share" ? 100 : 1;
    rows.push({
      siret: f.siret,
      structure: f.orgName,
      indicateur: spLabel,
      annee: year,
      valeur: f.value === null ? null : Math.round(f.value * scale * 10) / 10,
      unite: f.unit === "share" ? "%" : "points",
      volume: f.sample,
      cible: f.target === null ? null : Math.round(f.target * scale * 10) / 10,
      date_calcul: f.computedAt.toISOString().slice(0, 10),
    });
  }
  return rows;
}

export function nationalCsv(rows: NationalRow[]): string {
  // Semicolon-separated, as the data portal's exports are; numbers bare (a negative one is not a formula here).
  const field = (v: string | number | null) => (v === null ? "" : typeof v === "number" ? String(v) : quoteCsv(v));
  return `${[NATIONAL_COLUMNS.join(";"), ...rows.map((r) => NATIONAL_COLUMNS.map((c) => field(r[c])).join(";"))].join("\r\n")}\r\n`;
}

/** One user story of a Services Publics+ Experiences export, as Vigie keeps it. */
export interface ExperienceInput {
  externalId: string;
  writtenOn: string;
  sentiment: "negative" | "neutral" | "positive" | null;
  body: string;
  structure: string | null;
  nationalReply: string | null;
}

export interface ParsedFile<T> {
  rows: T[];
  errors: string[];
}

/** Header names as the exports write them, reduced to compare: « Ressenti usager » → ressenti_usager. */
export function headerKey(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

/*
 * The field list of the Experiences API (data.gouv.fr, « API Services Publics Plus - Expériences ») names
 * the fields in words; the CSV export writes them as headers whose exact spelling varies between the
 * export and the API. Each field is found by any of these names.
 */
const EXPERIENCE_FIELDS = {
  id: ["id_experience", "id", "identifiant", "identifiant_experience"],
  date: ["ecrit_le", "date_d_envoi_de_l_experience", "date_d_envoi_de_l_experience_ecrit_le", "date_envoi", "date"],
  body: ["description", "description_message_de_l_usager", "message", "message_de_l_usager"],
  sentiment: ["ressenti_usager", "ressenti"],
  structure: ["intitule_de_la_structure", "intitule_structure", "structure"],
  reply: ["reponse_de_la_structure", "reponse_structure", "reponse", "reponse_de_l_administration"],
} as const;

const SENTIMENTS: Record<string, ExperienceInput["sentiment"]> = {
  negatif: "negative",
  negative: "negative",
  neutre: "neutral",
  neutral: "neutral",
  positif: "positive",
  positive: "positive",
};

const LIMITS = { maxRows: 20_000, maxColumns: 60, maxCells: 600_000, maxInflatedBytes: 0 };

/** A date as the exports write it: ISO (2024-03-05, with or without a time) or French (05/03/2024). */
export function isoDate(text: string): string | null {
  const t = text.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(t);
  const fr = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(t);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : fr ? [fr[3], fr[2], fr[1]] : [];
  if (!y || !m || !d) return null;
  const date = new Date(`${y}-${m}-${d}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== `${y}-${m}-${d}` ? null : `${y}-${m}-${d}`;
}

/** Reads an Experiences export, CSV or JSON (the API's list, or `{ "results": [...] }`). Never throws. */
export function parseExperiences(bytes: Uint8Array, fileName: string): ParsedFile<ExperienceInput> {
  const looksJson = /\.json$/i.test(fileName) || /^\s*[[{]/.test(new TextDecoder().decode(bytes.subarray(0, 64)));
  let table: Array<{ line: number; get: (f: keyof typeof EXPERIENCE_FIELDS) => string }>;
  let missing: string[] = [];
  try {
    if (looksJson) {
      const data: unknown = JSON.parse(new TextDecoder().decode(bytes));
      const list = Array.isArray(data) ? data : (data as { results?: unknown })?.results;
      if (!Array.isArray(list))
        return {
          rows: [],
          errors: ["Le fichier JSON doit contenir une liste d'expériences (ou un objet « results » qui en contient une)."],
        };
      table = list.map((item, i) => {
        const record = Object.fromEntries(
          Object.entries((item ?? {}) as Record<string, unknown>).map(([k, v]) => [headerKey(k), v == null ? "" : String(v)]),
        );
        return { line: i + 1, get: (f) => EXPERIENCE_FIELDS[f].map((n) => record[n]).find((v) => v !== undefined) ?? "" };
      });
    } else {
      const records = readCsv(bytes, LIMITS);
      const [header, ...lines] = records;
      if (!header) return { rows: [], errors: ["Le fichier est vide."] };
      const keys = header.cells.map(headerKey);
      const index = Object.fromEntries(
        Object.entries(EXPERIENCE_FIELDS).map(([f, names]) => [f, keys.findIndex((k) => (names as readonly string[]).includes(k))]),
      ) as Record<keyof typeof EXPERIENCE_FIELDS, number>;
      missing = (["id", "date", "body"] as const)
        .filter((f) => index[f] < 0)
        .map((f) => ({ id: "« ID expérience »", date: "« Écrit le »", body: "« Description »" })[f]);
      if (missing.length)
        return {
          rows: [],
          errors: [
            `Ce fichier n'a pas la forme d'un export des expériences Services Publics+ : il manque ${missing.length > 1 ? "les colonnes" : "la colonne"} ${missing.join(", ")}.`,
          ],
        };
      table = lines.map((r) => ({ line: r.line, get: (f) => (index[f] >= 0 ? (r.cells[index[f]] ?? "") : "") }));
    }
  } catch (e) {
    if (e instanceof SpreadsheetError) return { rows: [], errors: [e.message] };
    return {
      rows: [],
      errors: [looksJson ? "Le fichier JSON est mal formé : il ne peut pas être lu." : "Le fichier ne peut pas être lu comme un CSV."],
    };
  }
  const rows: ExperienceInput[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const r of table) {
    const id = r.get("id").trim();
    const writtenOn = isoDate(r.get("date"));
    const body = r.get("body").trim();
    const rawSentiment = headerKey(r.get("sentiment"));
    if (!id) errors.push(`Ligne ${r.line} : l'identifiant de l'expérience est vide.`);
    else if (seen.has(id)) errors.push(`Ligne ${r.line} : l'expérience ${id} figure deux fois dans le fichier.`);
    if (!writtenOn) errors.push(`Ligne ${r.line} : la date « ${r.get("date")} » n'est pas une date (attendu AAAA-MM-JJ ou JJ/MM/AAAA).`);
    if (!body) errors.push(`Ligne ${r.line} : le message de l'usager est vide.`);
    if (rawSentiment && !(rawSentiment in SENTIMENTS))
      errors.push(`Ligne ${r.line} : le ressenti « ${r.get("sentiment")} » n'est ni positif, ni neutre, ni négatif.`);
    if (!id || !writtenOn || !body) continue;
    seen.add(id);
    rows.push({
      externalId: id,
      writtenOn,
      sentiment: rawSentiment ? (SENTIMENTS[rawSentiment] ?? null) : null,
      body: body.slice(0, 10_000),
      structure: r.get("structure").trim() || null,
      nationalReply: r.get("reply").trim() || null,
    });
  }
  if (!table.length) errors.push("Le fichier ne contient aucune expérience.");
  return { rows, errors };
}
