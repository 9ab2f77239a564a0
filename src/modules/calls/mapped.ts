import { type CallRecord, callKey, lineHash, type RecordResult } from "./call-record.ts";
import { type LocalDateTime, localDay, parseLocalDateTime, slotOf } from "./local-time.ts";

/**
 * Another system's CSV file, read through the organisation's saved column mapping. Columns are
 * named as in the file's header line, so a mapping survives a column added or moved by the vendor.
 */
export interface CallMapping {
  /** One column with the date and the time, or the two apart. */
  dateTime?: string | undefined;
  date?: string | undefined;
  time?: string | undefined;
  line?: string | undefined;
  /** Ringing or waiting time: seconds, `mm:ss` or `hh:mm:ss`. */
  wait: string;
  /** Whether the call was answered; without it, a call with a talk time was answered. */
  answered?: string | undefined;
  /** Values of that column that mean "answered", compared without case: `oui, répondu, 1` by default. */
  answeredValues?: string | undefined;
  talk?: string | undefined;
  /** The call's unique id in that system, if it has one; otherwise the line's content is its key. */
  id?: string | undefined;
}

export const MAPPING_FIELDS = ["dateTime", "date", "time", "line", "wait", "answered", "talk", "id"] as const;
export type MappingField = (typeof MAPPING_FIELDS)[number];

export const MAPPING_LABELS: Record<MappingField, string> = {
  dateTime: "Date et heure de l'appel",
  date: "Date de l'appel (si l'heure est à part)",
  time: "Heure de l'appel (si la date est à part)",
  line: "Ligne, file ou service appelé",
  wait: "Durée de sonnerie ou d'attente",
  answered: "Appel décroché (oui / non)",
  talk: "Durée de conversation",
  id: "Identifiant unique de l'appel",
};

const DEFAULT_ANSWERED = "oui,répondu,repondu,décroché,decroche,answered,1,vrai,true,yes";

const norm = (s: string) => s.trim().toLowerCase();

/** Checks a mapping against a header; the column positions, or a message per field. */
export function resolveMapping(
  mapping: CallMapping,
  header: string[],
): { ok: true; at: Partial<Record<MappingField, number>> } | { ok: false; errors: Record<string, string> } {
  const names = header.map(norm);
  const at: Partial<Record<MappingField, number>> = {};
  const errors: Record<string, string> = {};
  for (const field of MAPPING_FIELDS) {
    const name = mapping[field];
    if (!name) continue;
    const index = names.indexOf(norm(name));
    if (index < 0) errors[`map_${field}`] = `La colonne « ${name} » n'est pas dans l'en-tête du fichier.`;
    else at[field] = index;
  }
  if (!mapping.dateTime && !(mapping.date && mapping.time)) {
    errors.map_dateTime = "Indiquez la colonne de la date et de l'heure, ou celles de la date et de l'heure séparées.";
  }
  if (!mapping.wait) errors.map_wait = "Indiquez la colonne de la durée de sonnerie ou d'attente.";
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, at };
}

/** `45`, `45 s`, `0:45`, `00:00:45`, `12,5` → seconds (rounded); null when unreadable; negative kept for the message. */
export function parseDuration(text: string): number | null {
  const t = text.trim().replace(/\s*s(ec)?$/i, "");
  if (/^-?\d+([.,]\d+)?$/.test(t)) return Math.round(Number(t.replace(",", ".")));
  const m = /^(-)?(?:(\d+):)?(\d{1,2}):(\d{2})$/.exec(t);
  if (!m) return null;
  const seconds = Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return m[1] ? -seconds : seconds;
}

export interface MappedOptions {
  at: Partial<Record<MappingField, number>>;
  answeredValues: ReadonlySet<string>;
  clock: (t: LocalDateTime) => Date;
  width: number;
}

export function mappedOptions(
  mapping: CallMapping,
  at: Partial<Record<MappingField, number>>,
  width: number,
  clock: MappedOptions["clock"],
) {
  const values = (mapping.answeredValues?.trim() ? mapping.answeredValues : DEFAULT_ANSWERED).split(",").map(norm).filter(Boolean);
  return { at, answeredValues: new Set(values), clock, width };
}

export function parseMappedRecord(cells: string[], options: MappedOptions): RecordResult {
  if (cells.length === 1 && (cells[0] ?? "").trim() === "") return { ok: "skip" };
  if (cells.length !== options.width) {
    return { ok: false, message: `${cells.length} colonnes au lieu des ${options.width} de l'en-tête.` };
  }
  const { at } = options;
  const cell = (field: keyof MappedOptions["at"]) => {
    const i = at[field];
    return i === undefined ? undefined : (cells[i] ?? "");
  };
  const stamp = cell("dateTime") ?? `${cell("date") ?? ""} ${cell("time") ?? ""}`;
  const start = parseLocalDateTime(stamp);
  if (!start) return { ok: false, message: `Date ou heure illisible : « ${stamp.trim()} ».` };
  const waitText = cell("wait") ?? "";
  const wait = parseDuration(waitText);
  if (wait === null) return { ok: false, message: `Durée d'attente illisible : « ${waitText} ».` };
  if (wait < 0) return { ok: false, message: "Durée d'attente négative." };
  const talkText = cell("talk");
  const talk = talkText === undefined || talkText.trim() === "" ? 0 : parseDuration(talkText);
  if (talk === null) return { ok: false, message: `Durée de conversation illisible : « ${talkText} ».` };
  if (talk < 0) return { ok: false, message: "Durée de conversation négative." };
  const answeredText = cell("answered");
  const answered = answeredText === undefined ? talk > 0 : options.answeredValues.has(answeredText.trim().toLowerCase());
  const id = cell("id")?.trim();
  const call: CallRecord = {
    key: id ? callKey(`u:${id}`, start) : lineHash(cells, start),
    startedAt: options.clock(start),
    day: localDay(start),
    slot: slotOf(start),
    line: (cell("line") ?? "").trim().slice(0, 80),
    outcome: answered ? "answered" : "abandoned",
    wait,
    talk: answered ? talk : 0,
  };
  return { ok: true, call };
}
