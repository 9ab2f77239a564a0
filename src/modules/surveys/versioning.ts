import { allQuestions, type Question, type Questionnaire } from "./questionnaire.ts";

/**
 * Whether editing a questionnaire needs a new version. Answers are tied to the version they were
 * given on, so a version that has answers must keep meaning what the respondents read. Pure.
 *
 * The rule, from the safest to the lightest change:
 * - no answer yet: the draft is edited in place, whatever the change;
 * - structure (questions added, removed or moved, type, answers offered, required, show-if,
 *   sections): always a new version, the old answers no longer fit the new form;
 * - wording (a label whose letters change): a new version, unless the editor declares it a
 *   correction. Software cannot tell a typo ("acceuil") from a change of meaning ("satisfait" →
 *   "insatisfait" is two letters), so a person decides, and the service writes the old and new
 *   text to the audit log;
 * - cosmetic (case, accents, spaces, punctuation only) and commitment tags: in place. Tags say how
 *   answers are read, not what was asked, so fixing them should reach the old answers too.
 */
export type ChangeKind = "structure" | "wording" | "cosmetic" | "tags";

export interface Change {
  kind: ChangeKind;
  message: string;
}

export interface CurrentVersion {
  number: number;
  questionnaire: Questionnaire;
  responseCount: number;
}

export type VersionDecision =
  | { action: "none" }
  | { action: "update"; number: number; changes: Change[] }
  | { action: "new_version"; number: number; changes: Change[] };

export function decideVersion(current: CurrentVersion, edited: Questionnaire, options: { correction?: boolean } = {}): VersionDecision {
  const changes = diffQuestionnaires(current.questionnaire, edited);
  if (!changes.length) return { action: "none" };
  const breaking = changes.some((c) => c.kind === "structure" || (c.kind === "wording" && !options.correction));
  if (current.responseCount > 0 && breaking) return { action: "new_version", number: current.number + 1, changes };
  return { action: "update", number: current.number, changes };
}

export function diffQuestionnaires(before: Questionnaire, after: Questionnaire): Change[] {
  const changes: Change[] = [];
  const was = new Map(allQuestions(before).map((q) => [q.id, q]));
  const now = new Map(allQuestions(after).map((q) => [q.id, q]));
  for (const id of was.keys()) if (!now.has(id)) changes.push({ kind: "structure", message: `Question « ${id} » supprimée.` });
  for (const id of now.keys()) if (!was.has(id)) changes.push({ kind: "structure", message: `Question « ${id} » ajoutée.` });
  if (layout(before) !== layout(after) && !changes.length) {
    changes.push({ kind: "structure", message: "Ordre des questions ou découpage en sections modifié." });
  }
  for (const [id, q] of now) {
    const old = was.get(id);
    if (!old) continue;
    if (structureOf(old) !== structureOf(q)) {
      const message = `Question « ${id} » : type, réponses proposées, caractère obligatoire ou condition modifiés.`;
      changes.push({ kind: "structure", message });
    }
    if (old.commitments.join() !== q.commitments.join()) {
      changes.push({ kind: "tags", message: `Question « ${id} » : engagements mesurés modifiés.` });
    }
  }
  const oldTexts = textsOf(before);
  const newTexts = textsOf(after);
  for (const key of new Set([...oldTexts.keys(), ...newTexts.keys()])) {
    const old = oldTexts.get(key);
    const text = newTexts.get(key);
    // A text that comes or goes with its question or option is already told as a change of structure.
    const owner = (old ?? text)?.questionId;
    if (owner && !(was.has(owner) && now.has(owner))) continue;
    if (old?.optionValue && !text) continue;
    if (text?.optionValue && !old) continue;
    if (old?.text === text?.text) continue;
    if (!old || !text) {
      changes.push({ kind: "wording", message: `${old ? "Suppression" : "Ajout"} : ${key}.` });
      continue;
    }
    const kind = normalise(old.text) === normalise(text.text) ? "cosmetic" : "wording";
    changes.push({ kind, message: `${key} : « ${old.text} » devient « ${text.text} ».` });
  }
  return changes;
}

/**
 * Questions whose answers mean the same in both versions (same wording up to cosmetics, same
 * answers offered), so a trend may pool them across versions.
 */
export function comparableQuestions(a: Questionnaire, b: Questionnaire): string[] {
  const other = new Map(allQuestions(b).map((q) => [q.id, q]));
  return allQuestions(a)
    .filter((q) => {
      const o = other.get(q.id);
      return o !== undefined && structureOf(o) === structureOf(q) && meaningOf(o) === meaningOf(q);
    })
    .map((q) => q.id);
}

/** Everything about a question except its texts and tags; a field added later counts as structure by default. */
function structureOf(q: Question): string {
  const { label: _label, help: _help, commitments: _tags, ...rest } = q;
  return JSON.stringify("options" in rest ? { ...rest, options: rest.options.map((o) => o.value) } : rest);
}

function meaningOf(q: Question): string {
  const options = "options" in q ? q.options.map((o) => normalise(o.label)) : [];
  return JSON.stringify([normalise(q.label), normalise(q.help ?? ""), options]);
}

function layout(q: Questionnaire): string {
  return JSON.stringify(q.sections.map((s) => [s.id, s.questions.map((x) => x.id)]));
}

interface Text {
  text: string;
  questionId?: string;
  optionValue?: string;
}

/** Every text a respondent reads, keyed by where it sits, in French for the change list. */
function textsOf(q: Questionnaire): Map<string, Text> {
  const texts = new Map<string, Text>([["Titre", { text: q.title }]]);
  if (q.introduction) texts.set("Introduction", { text: q.introduction });
  if (q.thanks) texts.set("Remerciement", { text: q.thanks });
  for (const s of q.sections) if (s.title) texts.set(`Titre de la section « ${s.id} »`, { text: s.title });
  for (const question of allQuestions(q)) {
    const questionId = question.id;
    texts.set(`Libellé de « ${questionId} »`, { text: question.label, questionId });
    if (question.help) texts.set(`Aide de « ${questionId} »`, { text: question.help, questionId });
    for (const o of "options" in question ? question.options : []) {
      texts.set(`Option « ${o.value} » de « ${questionId} »`, { text: o.label, questionId, optionValue: o.value });
    }
  }
  return texts;
}

/** Case, accents, spaces and punctuation (straight or curly apostrophes…) do not change what is asked. */
function normalise(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[\p{P}\p{Z}\s]+/gu, " ")
    .trim()
    .toLowerCase();
}
