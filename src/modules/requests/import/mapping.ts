import { fold } from "./values.ts";

/** The Vigie fields a register's columns can feed, in the order the mapping page shows them. */
export const IMPORT_FIELDS = [
  "kind",
  "channel",
  "receivedOn",
  "subject",
  "body",
  "requesterName",
  "requesterEmail",
  "requesterPhone",
  "requesterAddress",
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export const FIELD_LABELS: Record<ImportField, string> = {
  kind: "Type",
  channel: "Canal de réception",
  receivedOn: "Date de réception",
  subject: "Objet",
  body: "Texte ou résumé",
  requesterName: "Nom de l'usager",
  requesterEmail: "Courriel de l'usager",
  requesterPhone: "Téléphone de l'usager",
  requesterAddress: "Adresse postale de l'usager",
};

export const REQUIRED_FIELDS: readonly ImportField[] = ["kind", "channel", "receivedOn", "subject"];

/** For each field, the index of the column that feeds it; a field left out is not in the file. */
export type ColumnMapping = Partial<Record<ImportField, number>>;
/** A value for the whole file, used where the field has no column or the cell is empty. */
export type Constants = Partial<Record<ImportField, string>>;

/** Header names seen in registers, folded (see `fold`). */
const HEADER_WORDS: Record<ImportField, string[]> = {
  kind: ["type", "type de demande", "nature", "nature de la demande", "categorie", "type de courrier"],
  channel: ["canal", "canal de reception", "mode de reception", "moyen de reception", "voie de reception", "origine", "provenance"],
  receivedOn: ["date de reception", "date reception", "recu le", "recue le", "date d arrivee", "arrive le", "date d entree", "date"],
  subject: ["objet", "objet de la demande", "sujet", "intitule", "titre", "motif"],
  body: ["texte", "contenu", "resume", "description", "message", "detail", "details", "observations", "commentaire"],
  requesterName: ["nom", "nom de l usager", "nom du demandeur", "nom prenom", "nom et prenom", "demandeur", "usager", "expediteur"],
  requesterEmail: ["courriel", "courriel de l usager", "email", "e mail", "mail", "mel", "adresse electronique", "adresse mail"],
  requesterPhone: ["telephone", "telephone de l usager", "tel", "portable", "numero de telephone"],
  requesterAddress: ["adresse", "adresse postale", "adresse de l usager"],
};

/** Words too vague to recognise at the start of a longer header ("Date de réponse", "Nom du service"). */
const EXACT_ONLY = new Set(["date", "nom", "tel", "type", "mail", "usager"]);

function score(header: string, word: string): number {
  if (header === word) return 1000 + word.length;
  if (!EXACT_ONLY.has(word) && header.startsWith(`${word} `)) return word.length;
  return 0;
}

/**
 * A first mapping from the header names: the best-matching pairs first, each column and each field
 * used once. The person checks and corrects it on the mapping page.
 */
export function proposeMapping(columns: string[]): ColumnMapping {
  const pairs: Array<{ field: ImportField; column: number; score: number }> = [];
  columns.forEach((name, column) => {
    const header = fold(name);
    for (const field of IMPORT_FIELDS) {
      const best = Math.max(0, ...HEADER_WORDS[field].map((w) => score(header, w)));
      if (best > 0) pairs.push({ field, column, score: best });
    }
  });
  pairs.sort((a, b) => b.score - a.score || a.column - b.column);
  const mapping: ColumnMapping = {};
  const used = new Set<number>();
  for (const p of pairs) {
    if (mapping[p.field] !== undefined || used.has(p.column)) continue;
    mapping[p.field] = p.column;
    used.add(p.column);
  }
  return mapping;
}

/** The column a name designates: the same header, or the same once folded; the first one wins. */
export function columnIndex(columns: string[], name: string): number | undefined {
  const exact = columns.indexOf(name);
  if (exact >= 0) return exact;
  const folded = columns.map(fold).indexOf(fold(name));
  return folded >= 0 ? folded : undefined;
}

/** How a column is named on the pages, including the unnamed ones. */
export function columnLabel(columns: string[], index: number): string {
  const name = columns[index]?.trim();
  return name ? name : `Colonne ${index + 1} (sans titre)`;
}
