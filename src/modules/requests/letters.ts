import { CHANNEL_LABELS, type Channel, REQUEST_KIND_LABELS, type RequestKind } from "../frameworks/channels.ts";

/**
 * The letters a requester receives — acknowledgement, holding reply, answer — as editable French
 * templates with named blanks. Every template states the announced delay: that is the promise. Pure.
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

Nous nous engageons à vous répondre {delai}, c'est-à-dire au plus tard le {echeance}.

Vous pouvez suivre l'avancement de votre dossier sur {adresse_suivi} avec le numéro {numero} et le code {code_suivi}, ou directement à cette adresse : {lien_suivi}

Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.

{organisation}`,
  },
  holding: {
    subject: "{organisation} — votre {type} n° {numero} : nouvelle date de réponse",
    body: `Madame, Monsieur,

Votre {type} « {objet} », reçue le {date_reception}, demande plus de temps que le délai annoncé ({delai}).

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

export const PLACEHOLDERS = [
  "organisation",
  "numero",
  "type",
  "objet",
  "canal",
  "date_reception",
  "delai",
  "echeance",
  "nouvelle_date",
  "message",
  "lien_suivi",
  "adresse_suivi",
  "code_suivi",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface LetterFacts {
  organisation: string;
  number: string;
  kind: RequestKind;
  channel: Channel;
  subject: string;
  receivedOn: string;
  delay: { value: number; unit: "working_days" | "calendar_days" } | null;
  dueOn: string | null;
  announcedOn?: string | null;
  message?: string | null;
  trackingUrl?: string | null;
  /** The address of the tracking form (« https://…/track »), where number and code are typed. */
  trackingAddress?: string | null;
  /** The short code, as printed (« ABCD-EFGH »). */
  trackingCode?: string | null;
}

export function frenchDate(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(`${iso}T00:00:00Z`),
  );
}

function delayText(delay: LetterFacts["delay"]): string {
  if (!delay) return "dans les meilleurs délais";
  return `dans un délai de ${delay.value} ${delay.unit === "working_days" ? "jours ouvrés" : "jours"}`;
}

export function letterValues(f: LetterFacts): Record<Placeholder, string> {
  return {
    organisation: f.organisation,
    numero: f.number,
    type: REQUEST_KIND_LABELS[f.kind].toLowerCase(),
    objet: f.subject,
    canal: CHANNEL_LABELS[f.channel].toLowerCase(),
    date_reception: frenchDate(f.receivedOn),
    delai: delayText(f.delay),
    echeance: f.dueOn ? frenchDate(f.dueOn) : "dès que possible",
    nouvelle_date: frenchDate(f.announcedOn ?? f.dueOn),
    message: f.message ?? "",
    lien_suivi: f.trackingUrl ?? "(non disponible)",
    adresse_suivi: f.trackingAddress ?? "(non disponible)",
    code_suivi: f.trackingCode ?? "(non disponible)",
  };
}

/** Fills the blanks; an unknown blank stays as it is, so a typo shows rather than vanishes. */
export function renderLetter(template: LetterTemplate, facts: LetterFacts): LetterTemplate {
  const values = letterValues(facts);
  const fill = (text: string) => text.replace(/\{([a-z_]+)\}/g, (m, name: string) => (name in values ? values[name as Placeholder] : m));
  return { subject: fill(template.subject).replace(/\s+/g, " ").trim(), body: fill(template.body) };
}

/** The blanks a template uses that do not exist: shown to the person editing it. */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1] ?? "").filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
}
