import { quoteCsv } from "../../kernel/spreadsheet.ts";
import { readCsv } from "../../kernel/spreadsheets/csv.ts";
import { SpreadsheetError } from "../../kernel/spreadsheets/limits.ts";
import { type OrgFigure, PUBLISHED_SET } from "../publication/publication.service.ts";

/* Read when first needed, not at load: the indicator sources import this module's service, which reaches the publication module. */
let published: Map<string, (typeof PUBLISHED_SET)[number]> | undefined;
const publishedOf = (key: string) => {
  published ??= new Map(PUBLISHED_SET.map((p) => [p.key, p]));
  return published.get(key);
};

/*
 * The national formats of Services Publics+ (docs/open-data.md, « Formats nationaux »). Pure.
 *
 * The programme's open data (opendata.plus.transformation.gouv.fr) has two data sets for figures:
 * `export-indicateurs`, the definitions of the indicators each network publishes, and `export-resultats`,
 * one value per structure and indicator. The column names below are the fields those data sets expose
 * through the portal's records API, as public code that reads them names them (sources in
 * docs/open-data.md). The values Vigie cannot know (the national codes of a structure and of a result,
 * the national typology) are left empty; Vigie's own columns come after the national ones.
 */

/** `export-indicateurs`: one line per indicator a network publishes. */
export const INDICATOR_COLUMNS = [
  "reseau",
  "intitule_original_de_l_indicateur",
  "intitule_usager_de_l_indicateur",
  "type_d_indicateur",
  "sources_et_methodes",
  "type_d_unite",
  "unite",
] as const;

/** `export-resultats`: the national columns, then Vigie's (year, volume, target, SIRET). */
export const RESULT_COLUMNS = [
  "code_sp_du_resultat",
  "intitule_du_reseau",
  "typologie",
  "intitule_de_la_structure",
  "code_sp_structure",
  "code_sp_de_l_indicateur",
  "titre_original_de_l_indicateur",
  "valeur",
  "date_de_mise_a_jour",
  "annee",
  "unite",
  "volume",
  "cible",
  "siret",
] as const;

export type IndicatorRow = Record<(typeof INDICATOR_COLUMNS)[number], string>;
export type ResultRow = Record<(typeof RESULT_COLUMNS)[number], string | number | null>;

/**
 * How Vigie computes each published indicator, for the definitions' « sources et méthodes », and whether
 * it measures the service rendered or the service perceived (the two families of engagement 6).
 */
const METHODS: Record<string, { type: "Qualité rendue" | "Qualité perçue"; method: string }> = {
  "calls.answer_rate": {
    type: "Qualité rendue",
    method: "Journaux d'appels importés de la téléphonie : appels décrochés par un agent sur appels reçus.",
  },
  "requests.answered_in_time": {
    type: "Qualité rendue",
    method: "Registre des demandes : réponses données dans le délai annoncé (jours ouvrés, jours fériés déduits) sur demandes traitées.",
  },
  "surveys.online_8_or_more": {
    type: "Qualité perçue",
    method: "Enquêtes auprès des usagers des démarches en ligne : notes de 8 sur 10 ou plus sur notes données.",
  },
  "surveys.satisfaction": {
    type: "Qualité perçue",
    method:
      "Enquêtes de satisfaction après un contact (tablette d'accueil, lien, courriel) : usagers satisfaits ou très satisfaits sur répondants.",
  },
  "surveys.net_satisfaction": {
    type: "Qualité perçue",
    method: "Mêmes enquêtes : part des satisfaits moins part des insatisfaits, en points.",
  },
};

/** The definitions of the indicators a network publishes, in the columns of `export-indicateurs`. */
export function indicatorRows(network: string): IndicatorRow[] {
  return PUBLISHED_SET.map((p) => ({
    reseau: network,
    intitule_original_de_l_indicateur: p.spLabel,
    intitule_usager_de_l_indicateur: p.label,
    type_d_indicateur: METHODS[p.key]?.type ?? "",
    sources_et_methodes: METHODS[p.key]?.method ?? "",
    type_d_unite: p.unit === "share" ? "Pourcentage" : "Points",
    unite: p.unit === "share" ? "%" : "points",
  }));
}

/**
 * The lines of `export-resultats`: the five SP+ indicators, all channels together, at site level, over a
 * whole calendar year. Shares become percentages (87.5), net satisfaction stays in points.
 */
export function resultRows(figures: OrgFigure[], year: number, network: string): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const f of figures) {
    const set = publishedOf(f.key);
    if (!set || f.channel !== null || f.orgKind !== "site") continue;
    if (f.periodFrom !== `${year}-01-01` || f.periodTo !== `${year}-12-31`) continue;
    const scale = f.unit === "share" ? 100 : 1;
    rows.push({
      code_sp_du_resultat: null,
      intitule_du_reseau: network,
      typologie: null,
      intitule_de_la_structure: f.orgName,
      code_sp_structure: null,
      code_sp_de_l_indicateur: set.spCode,
      titre_original_de_l_indicateur: set.spLabel,
      valeur: f.value === null ? null : Math.round(f.value * scale * 10) / 10,
      date_de_mise_a_jour: f.computedAt.toISOString().slice(0, 10),
      annee: year,
      unite: f.unit === "share" ? "%" : "points",
      volume: f.sample,
      cible: f.target === null ? null : Math.round(f.target * scale * 10) / 10,
      siret: f.siret,
    });
  }
  return rows;
}

/** Semicolon-separated, as the data portal's exports are; numbers bare (a negative one is not a formula here). */
export function nationalCsv<C extends string>(columns: readonly C[], rows: Array<Record<C, string | number | null>>): string {
  const field = (v: string | number | null) => (v === null ? "" : typeof v === "number" ? String(v) : quoteCsv(v));
  return `${[columns.join(";"), ...rows.map((r) => columns.map((c) => field(r[c])).join(";"))].join("\r\n")}\r\n`;
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

/* ---------- « Je donne mon avis » statistics ---------- */

/** One count of the « Je donne mon avis » statistics: a procedure, a period, a question. */
export interface JdmaCount {
  productId: string;
  productName: string;
  periodStart: string;
  periodLength: "day" | "week" | "month" | "year";
  fieldCode: string;
  good: number;
  medium: number;
  bad: number;
}

const PERIOD_LENGTHS = new Set(["day", "week", "month", "year"]);

/*
 * The answer of the « Je donne mon avis » open API, `POST /api/open-api/statistiques` (the format of
 * DISIC/jedonnemonavis.numerique.gouv.fr, webapp-backoffice/src/types/custom.ts, ZOpenApiStatsOutput):
 * { data: [{ product_id, product_name, forms: [{ form_id, form_name, intervals: [{ date, length_interval,
 * data: [{ category, label, number_hits: [{ intention, label, count }] }] }] }] }] }. A question is a
 * `category` (« satisfaction », « easy », « comprehension »…); each answer carries its intention:
 * very_good and good count as « Très bien », medium as « Moyen », bad and very_bad as « Pas bien »,
 * neutral as no opinion. The forms of a procedure add up.
 */
export function parseJdmaStatistics(bytes: Uint8Array): ParsedFile<JdmaCount> {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder().decode(bytes).replace(/^\uFEFF/, ""));
  } catch {
    return {
      rows: [],
      errors: ["Le fichier n'est pas un JSON lisible : exportez la réponse de l'API « statistiques » de Je donne mon avis."],
    };
  }
  const products = (data as { data?: unknown })?.data;
  if (!Array.isArray(products))
    return {
      rows: [],
      errors: ["Ce fichier n'a pas la forme des statistiques de Je donne mon avis : il lui manque la liste « data » des démarches."],
    };
  const errors: string[] = [];
  const byKey = new Map<string, JdmaCount>();
  const count = (n: unknown) => (typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : null);
  for (const [p, product] of products.entries()) {
    const where = `Démarche ${p + 1}`;
    const productId = String((product as { product_id?: unknown })?.product_id ?? "").trim();
    const productName = String((product as { product_name?: unknown })?.product_name ?? "").trim();
    const forms = (product as { forms?: unknown })?.forms;
    if (!productId || !Array.isArray(forms)) {
      errors.push(`${where} : « product_id » ou la liste « forms » manque.`);
      continue;
    }
    for (const form of forms) {
      const intervals = (form as { intervals?: unknown })?.intervals;
      if (!Array.isArray(intervals)) {
        errors.push(`${where} (${productName || productId}) : un formulaire n'a pas de liste « intervals ».`);
        continue;
      }
      for (const interval of intervals as Array<{ date?: unknown; length_interval?: unknown; data?: unknown }>) {
        const date = String(interval?.date ?? "");
        const length = String(interval?.length_interval ?? "");
        if (date === "all_time" || length === "none") {
          errors.push(
            `${where} (${productName || productId}) : des totaux sans période (« interval » à « none ») ne se rangent dans aucune année ; demandez les statistiques par mois (« interval » : « month »).`,
          );
          continue;
        }
        const start = isoDate(date);
        if (!start || !PERIOD_LENGTHS.has(length)) {
          errors.push(`${where} (${productName || productId}) : la période « ${date} » (${length || "durée absente"}) n'est pas lisible.`);
          continue;
        }
        for (const category of Array.isArray(interval.data) ? interval.data : []) {
          const fieldCode = String((category as { category?: unknown })?.category ?? "").trim();
          const hits = (category as { number_hits?: unknown })?.number_hits;
          if (!fieldCode || !Array.isArray(hits)) continue;
          const key = `${productId}|${start}|${fieldCode}`;
          const row = byKey.get(key) ?? {
            productId,
            productName: productName || productId,
            periodStart: start,
            periodLength: length as JdmaCount["periodLength"],
            fieldCode,
            good: 0,
            medium: 0,
            bad: 0,
          };
          for (const hit of hits as Array<{ intention?: unknown; count?: unknown }>) {
            const n = count(hit?.count);
            if (n === null) {
              errors.push(
                `${where} (${productName || productId}), ${start}, « ${fieldCode} » : un nombre de réponses n'est pas un entier positif.`,
              );
              continue;
            }
            const intention = String(hit?.intention ?? "");
            if (intention === "good" || intention === "very_good") row.good += n;
            else if (intention === "medium") row.medium += n;
            else if (intention === "bad" || intention === "very_bad") row.bad += n;
          }
          byKey.set(key, row);
        }
      }
    }
  }
  const rows = [...byKey.values()];
  if (!errors.length && rows.length === 0) errors.push("Le fichier ne contient aucune statistique.");
  return { rows, errors: errors.slice(0, 50) };
}
