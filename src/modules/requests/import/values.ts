import { CHANNELS, type Channel, REQUEST_KINDS, type RequestKind } from "../../frameworks/channels.ts";

/** Lower case, no accents, words separated by one space: "Réclamation " and "RECLAMATION" meet. */
export function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9@]+/g, " ")
    .trim();
}

/** The words registers use, folded; the codes of the API are accepted too. */
const KIND_WORDS: Record<RequestKind, string[]> = {
  request: ["demande", "demandes", "demande d information", "information", "renseignement", "request"],
  complaint: ["reclamation", "reclamations", "plainte", "doleance", "complaint"],
  suggestion: ["suggestion", "suggestions", "proposition", "idee"],
};

const CHANNEL_WORDS: Record<Channel, string[]> = {
  letter: ["courrier", "courrier postal", "lettre", "postal", "poste", "voie postale", "letter"],
  email: ["courriel", "mail", "e mail", "email", "mel", "messagerie", "adresse electronique"],
  phone: ["telephone", "tel", "appel", "appel telephonique", "phone"],
  counter: ["accueil", "accueil physique", "guichet", "sur place", "visite", "counter"],
  web: ["internet", "formulaire", "formulaire en ligne", "formulaire internet", "site internet", "site", "en ligne", "web"],
};

function lookup<T extends string>(words: Record<T, string[]>, codes: readonly T[], value: string): T | undefined {
  const folded = fold(value);
  return codes.find((code) => words[code].includes(folded));
}

export const kindOf = (value: string): RequestKind | undefined => lookup(KIND_WORDS, REQUEST_KINDS, value);
export const channelOf = (value: string): Channel | undefined => lookup(CHANNEL_WORDS, CHANNELS, value);

const pad = (n: string) => n.padStart(2, "0");

/**
 * A reception date as AAAA-MM-JJ, from what registers hold: 30/04/2027, 30-04-2027, 30.04.27,
 * 2027-04-30 (a real Excel date arrives in that form), possibly followed by a time.
 * Impossible dates (31/02) keep their shape so the request schema says the date does not exist.
 */
export function isoDateOf(value: string): string | undefined {
  const text = value.trim().replace(/[ T]\d{1,2}[:h]\d{2}(:\d{2}(\.\d+)?)?Z?$/, "");
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  if (iso) return `${iso[1]}-${pad(iso[2] ?? "")}-${pad(iso[3] ?? "")}`;
  const french = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(text);
  if (!french) return undefined;
  const year = french[3] ?? "";
  // Two-digit years are this century's: a register does not go back to the 1900s.
  return `${year.length === 2 ? `20${year}` : year}-${pad(french[2] ?? "")}-${pad(french[1] ?? "")}`;
}

/** The words shown to the person when a value is not recognised. */
export const KIND_HINT = "demande, réclamation ou suggestion";
export const CHANNEL_HINT = "courrier, courriel, téléphone, accueil ou internet";
