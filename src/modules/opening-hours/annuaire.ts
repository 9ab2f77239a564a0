/**
 * Reading a record of the Annuaire de l'administration (api-lannuaire.service-public.fr, dataset
 * `api-lannuaire-administration`): its `plage_ouverture` becomes an opening_hours value, its contact
 * and accessibility fields become Vigie's. In the API's JSON the nested fields (`plage_ouverture`,
 * `adresse`, `telephone`, `site_internet`…) arrive as JSON text; exports give them as arrays: both
 * are read. Pure.
 */

const DAY_CODES: Record<string, string> = {
  lundi: "Mo",
  mardi: "Tu",
  mercredi: "We",
  jeudi: "Th",
  vendredi: "Fr",
  samedi: "Sa",
  dimanche: "Su",
};
const ORDER = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

export interface AnnuaireImport {
  annuaireId: string | null;
  name: string | null;
  hours: string;
  /** The records' comments (« fermé pendant les vacances scolaires… »), kept as the change's note. */
  note: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
  accessibility: string | null;
  stepFree: boolean | null;
}

export type AnnuaireResult = { ok: true; value: AnnuaireImport } | { ok: false; message: string };

/** A field that may be JSON text or already parsed. */
function list(value: unknown): Array<Record<string, unknown>> {
  let v = value;
  if (typeof v === "string") {
    const text = v.trim();
    if (!text) return [];
    try {
      v = JSON.parse(text);
    } catch {
      return [];
    }
  }
  if (Array.isArray(v)) return v.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null);
  return typeof v === "object" && v !== null ? [v as Record<string, unknown>] : [];
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);

function dayCode(name: unknown): string | null {
  const key = text(name)
    ?.toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "");
  return key ? (DAY_CODES[key] ?? null) : null;
}

/** « 09:00:00 » → « 09:00 »; null when empty or not a time. */
function time(v: unknown): string | null {
  const t = text(v);
  const m = t ? /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(t) : null;
  if (!m) return null;
  const h = Number(m[1]);
  if (h > 24 || Number(m[2]) > 59) return null;
  return `${String(h).padStart(2, "0")}:${m[2]}`;
}

/** The `plage_ouverture` entries as an opening_hours value (« Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00 »). */
export function plagesToOpeningHours(plages: unknown): { ok: true; hours: string; note: string | null } | { ok: false; message: string } {
  const entries = list(plages);
  if (!entries.length) return { ok: false, message: "La fiche ne donne pas d'horaires d'ouverture (plage_ouverture vide)." };
  const byDay = new Map<string, string[]>();
  const notes: string[] = [];
  for (const [i, e] of entries.entries()) {
    const first = dayCode(e.nom_jour_debut);
    const last = dayCode(e.nom_jour_fin) ?? first;
    if (!first || !last) return { ok: false, message: `Plage ${i + 1} : jour inconnu « ${String(e.nom_jour_debut ?? "")} ».` };
    const spans: string[] = [];
    for (const n of [1, 2]) {
      const from = time(e[`valeur_heure_debut_${n}`]);
      const to = time(e[`valeur_heure_fin_${n}`]);
      if (from && to) spans.push(`${from}-${to}`);
      else if (from || to) return { ok: false, message: `Plage ${i + 1} : heure de début ou de fin manquante.` };
    }
    if (!spans.length) return { ok: false, message: `Plage ${i + 1} : aucune heure d'ouverture.` };
    const comment = text(e.commentaire);
    if (comment) notes.push(comment);
    const a = ORDER.indexOf(first);
    const b = ORDER.indexOf(last);
    let d = a;
    for (let k = 0; k < 7; k++) {
      const code = ORDER[d] ?? "Mo";
      byDay.set(code, [...(byDay.get(code) ?? []), ...spans]);
      if (d === b) break;
      d = (d + 1) % 7;
    }
  }
  // Consecutive days with the same spans become one range: « Mo-Fr 09:00-12:00 ».
  const rules: string[] = [];
  let i = 0;
  while (i < 7) {
    const spans = byDay
      .get(ORDER[i] ?? "")
      ?.sort()
      .join(",");
    if (!spans) {
      i++;
      continue;
    }
    let j = i;
    while (
      j + 1 < 7 &&
      byDay
        .get(ORDER[j + 1] ?? "")
        ?.sort()
        .join(",") === spans
    )
      j++;
    rules.push(`${ORDER[i]}${j > i ? `${j === i + 1 ? "," : "-"}${ORDER[j]}` : ""} ${spans}`);
    i = j + 1;
  }
  return { ok: true, hours: rules.join("; "), note: notes.length ? [...new Set(notes)].join(" ") : null };
}

/** A field holding one value or a list of them, possibly as JSON text (`adresse_courriel` is « ["a@b.fr"] »). */
function firstString(value: unknown): string | null {
  let v = value;
  if (typeof v === "string" && v.trim().startsWith("[")) {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (Array.isArray(v)) v = v[0];
  if (typeof v === "object" && v !== null && "valeur" in v) v = (v as { valeur: unknown }).valeur;
  return text(v);
}

/** The Annuaire's accessibility codes (ACC accessible, NAC not accessible, DEM on request) or words. */
function stepFreeOf(value: string | null): boolean | null {
  if (!value) return null;
  const v = value.toLowerCase();
  if (v === "acc" || v.startsWith("accessible")) return true;
  if (v === "nac" || v.startsWith("non accessible") || v.startsWith("inaccessible")) return false;
  return null;
}

/** A whole Annuaire record (one `results[]` item of the API), or the API answer with one result. */
export function readAnnuaireRecord(input: unknown): AnnuaireResult {
  let record = input;
  if (typeof record === "object" && record !== null && "results" in record) {
    const results = (record as { results: unknown }).results;
    if (!Array.isArray(results) || results.length !== 1) {
      return { ok: false, message: "La réponse de l'Annuaire doit contenir exactement une fiche (results)." };
    }
    record = results[0];
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    return { ok: false, message: "Fiche de l'Annuaire illisible : un objet JSON est attendu." };
  }
  const r = record as Record<string, unknown>;
  const hours = plagesToOpeningHours(r.plage_ouverture);
  if (!hours.ok) return hours;
  const address = list(r.adresse).find((a) => text(a.accessibilite) || text(a.note_accessibilite));
  const accessibilityCode = text(address?.accessibilite);
  const accessibility =
    [
      accessibilityCode
        ? ({ ACC: "Accessible", NAC: "Non accessible", DEM: "Accessible sur demande" }[accessibilityCode] ?? accessibilityCode)
        : null,
      text(address?.note_accessibilite),
    ]
      .filter(Boolean)
      .join(" — ") || null;
  const email = firstString(r.adresse_courriel);
  return {
    ok: true,
    value: {
      annuaireId: text(r.id),
      name: text(r.nom),
      hours: hours.hours,
      note: hours.note,
      phone: text(list(r.telephone)[0]?.valeur),
      email,
      website: text(list(r.site_internet)[0]?.valeur),
      accessibility,
      stepFree: stepFreeOf(accessibilityCode),
    },
  };
}
