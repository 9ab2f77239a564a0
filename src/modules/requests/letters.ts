import { AppError } from "../../kernel/errors.ts";
import { formatDate, formatDelay, frenchSpacing } from "../../ui/format.ts";
import { CHANNEL_LABELS, type Channel, REQUEST_KIND_LABELS, type RequestKind } from "../frameworks/channels.ts";
import type { Delay } from "./due-date.ts";

/**
 * The letters a requester receives — acknowledgement, holding reply, answer — as editable French
 * templates with named blanks. A blank with no value for the request refuses the letter (never
 * « au plus tard le dès que possible »): `{phrase_delai}` is the blank that reads right with or
 * without an announced delay. Pure.
 */
export const LETTER_KINDS = ["acknowledgement", "holding", "answer"] as const;
export type LetterKind = (typeof LETTER_KINDS)[number];

export const LETTER_LABELS: Record<LetterKind, string> = {
  acknowledgement: "Accusé de réception",
  holding: "Réponse d'attente",
  answer: "Réponse",
};

export interface LetterTemplate {
  subject: string;
  body: string;
}

export const DEFAULT_TEMPLATES: Record<LetterKind, LetterTemplate> = {
  acknowledgement: {
    subject: "{organisation} — accusé de réception de votre {type} n° {numero}",
    body: `Madame, Monsieur,

Nous avons bien reçu le {date_reception} votre {type} « {objet} », enregistrée sous le numéro {numero}.

{phrase_delai}

Vous pouvez suivre l'avancement de votre dossier sur {adresse_suivi} avec le numéro {numero} et le code {code_suivi}, ou directement à cette adresse : {lien_suivi}

Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.

{organisation}`,
  },
  holding: {
    subject: "{organisation} — votre {type} n° {numero} : nouvelle date de réponse",
    body: `Madame, Monsieur,

Votre {type} « {objet} », reçue le {date_reception}, demande plus de temps que prévu.

{message}

Nous vous répondrons au plus tard le {nouvelle_date}.

Vous pouvez suivre votre dossier avec le numéro et le code indiqués dans l'accusé de réception.

Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.

{organisation}`,
  },
  answer: {
    subject: "{organisation} — réponse à votre {type} n° {numero}",
    body: `Madame, Monsieur,

En réponse à votre {type} « {objet} » reçue le {date_reception} :

{message}

Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.

{organisation}`,
  },
};

/**
 * The acknowledgement of a request filed on the public form. Whoever types an address there makes
 * the organisation's own mail server write to it: so this letter carries nothing the visitor wrote
 * (no subject, no name, no text), only the receipt number, and it is not the editable template,
 * whose {objet} would carry the visitor's words. A visitor cannot use the form to send a message of
 * their choosing under the organisation's name.
 */
export const PUBLIC_ACKNOWLEDGEMENT: LetterTemplate = {
  subject: "{organisation} — accusé de réception n° {numero}",
  body: `Madame, Monsieur,

Une {type} a été déposée le {date_reception} sur le formulaire en ligne de {organisation}, avec cette adresse électronique pour la réponse. Elle est enregistrée sous le numéro {numero}.

{phrase_delai}

Suivi du dossier : {lien_suivi}
(ou sur {adresse_suivi} avec le numéro {numero} et le code {code_suivi})

Si vous n'êtes pas à l'origine de ce dépôt, ignorez ce message.

{organisation}`,
};

export const PLACEHOLDERS = [
  "organisation",
  "numero",
  "type",
  "objet",
  "canal",
  "date_reception",
  "delai",
  "echeance",
  "phrase_delai",
  "nouvelle_date",
  "message",
  "lien_suivi",
  "adresse_suivi",
  "code_suivi",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** What each blank stands for, in the refusal that names the blanks without a value. */
export const PLACEHOLDER_LABELS: Record<Placeholder, string> = {
  organisation: "nom de l'organisation",
  numero: "numéro de dossier",
  type: "type de demande",
  objet: "objet",
  canal: "canal",
  date_reception: "date de réception",
  delai: "délai annoncé — aucun délai n'est annoncé pour cette demande",
  echeance: "date limite de réponse — aucun délai n'est annoncé pour cette demande",
  phrase_delai: "engagement de délai",
  nouvelle_date: "nouvelle date de réponse",
  message: "message à l'usager",
  lien_suivi: "lien de suivi",
  adresse_suivi: "adresse de la page de suivi",
  code_suivi: "code de suivi",
};

export interface LetterFacts {
  organisation: string;
  number: string;
  kind: RequestKind;
  channel: Channel;
  subject: string;
  receivedOn: string;
  delay: Delay | null;
  dueOn: string | null;
  announcedOn?: string | null;
  message?: string | null;
  trackingUrl?: string | null;
  /** The address of the tracking form (« https://…/track »), where number and code are typed. */
  trackingAddress?: string | null;
  /** The short code, as printed (« ABCD-EFGH »). */
  trackingCode?: string | null;
}

/** « 1er décembre 2026 »; an empty string for no date. */
export function frenchDate(iso: string | null | undefined): string {
  return iso ? formatDate(iso) : "";
}

/**
 * The promise of the acknowledgement. With a delay: the delay and the date. Without one (a channel
 * for which the organisation announced none), a town hall still acknowledges at once and promises
 * no date it has not announced: the sentence says so rather than invent one.
 */
function delaySentence(f: LetterFacts): string {
  if (f.delay && f.dueOn) {
    return `Nous nous engageons à vous répondre dans un délai de ${formatDelay(f.delay.value, f.delay.unit)}, c'est-à-dire au plus tard le ${formatDate(f.dueOn)}.`;
  }
  return "Votre dossier est transmis au service concerné, qui vous répondra dans les meilleurs délais.";
}

/** The value of every blank; null where the request has none (the letter is then refused if it uses it). */
export function letterValues(f: LetterFacts): Record<Placeholder, string | null> {
  const message = f.message?.trim() ? f.message.trim() : null;
  return {
    organisation: f.organisation,
    numero: f.number,
    type: REQUEST_KIND_LABELS[f.kind].toLowerCase(),
    objet: f.subject,
    canal: CHANNEL_LABELS[f.channel].toLowerCase(),
    date_reception: formatDate(f.receivedOn),
    delai: f.delay ? `dans un délai de ${formatDelay(f.delay.value, f.delay.unit)}` : null,
    echeance: f.dueOn ? formatDate(f.dueOn) : null,
    phrase_delai: delaySentence(f),
    nouvelle_date: f.announcedOn ? formatDate(f.announcedOn) : null,
    message,
    lien_suivi: f.trackingUrl ?? null,
    adresse_suivi: f.trackingAddress ?? null,
    code_suivi: f.trackingCode ?? null,
  };
}

const BLANK = /\{([a-z_]+)\}/g;

/** The known blanks a template uses that have no value for these facts. */
export function missingValues(template: LetterTemplate, facts: LetterFacts): Placeholder[] {
  const values = letterValues(facts);
  const used = [...`${template.subject}\n${template.body}`.matchAll(BLANK)].map((m) => m[1] ?? "");
  return [...new Set(used)].filter((name): name is Placeholder => name in values && values[name as Placeholder] === null);
}

/**
 * Fills the blanks. A known blank without a value refuses the whole letter, with the list of what is
 * missing (validation error, nothing sent); an unknown blank stays as it is, so a typo shows.
 */
export function renderLetter(template: LetterTemplate, facts: LetterFacts): LetterTemplate {
  const missing = missingValues(template, facts);
  if (missing.length) {
    const list = missing.map((m) => `{${m}} (${PLACEHOLDER_LABELS[m]})`).join(", ");
    const hint = missing.some((m) => m === "echeance" || m === "delai")
      ? " Annoncez un délai pour ce canal, ou employez {phrase_delai} dans le modèle : cette phrase s'adapte quand aucun délai ne s'applique."
      : "";
    throw new AppError("letter.incomplete", {
      message: `La lettre n'est pas envoyée : le modèle utilise ${missing.length > 1 ? "des champs" : "un champ"} sans valeur pour cette demande : ${list}.${hint}`,
    });
  }
  const values = letterValues(facts);
  const fill = (text: string) => text.replace(BLANK, (m, name: string) => (name in values ? (values[name as Placeholder] ?? m) : m));
  return { subject: frenchSpacing(fill(template.subject).replace(/\s+/g, " ").trim()), body: frenchSpacing(fill(template.body)) };
}

/** The blanks a template uses that do not exist: shown to the person editing it. */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(BLANK)].map((m) => m[1] ?? "").filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
}
