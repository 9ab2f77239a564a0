import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { CHANNELS, type Channel } from "../frameworks/channels.ts";

/** The mystery-shopper grids shipped in data/mystery, one per channel, and the scores (pure). */
const gridSchema = z.object({
  id: z.string(),
  channel: z.enum(CHANNELS),
  version: z.number().int().positive(),
  title: z.string(),
  criteria: z.array(z.object({ id: z.string(), label: z.string(), commitments: z.array(z.string()) })).min(1),
});
export type Grid = z.output<typeof gridSchema>;
export type Answer = "yes" | "no" | "na";

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../data/mystery");

let grids: Grid[] | undefined;
export function loadGrids(): Grid[] {
  grids ??= readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => gridSchema.parse(JSON.parse(readFileSync(path.join(DIR, f), "utf8"))))
    .sort((a, b) => CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel));
  return grids;
}

export function gridFor(channel: Channel): Grid {
  const grid = loadGrids().find((g) => g.channel === channel);
  if (!grid) throw new Error(`Pas de grille pour le canal ${channel}`);
  return grid;
}

export interface TestRecord {
  siteId: string;
  channel: Channel;
  answers: Record<string, Answer>;
}

/** A score is the share of criteria met among those that applied, 0..100; null when none applied. */
export interface Score {
  passed: number;
  failed: number;
  score: number | null;
}

const score = (passed: number, failed: number): Score => ({
  passed,
  failed,
  score: passed + failed ? (passed / (passed + failed)) * 100 : null,
});

function tally(tests: TestRecord[], keyOf: (t: TestRecord, criterionId: string) => string[]): Map<string, Score> {
  const acc = new Map<string, { passed: number; failed: number }>();
  for (const t of tests) {
    for (const [criterionId, answer] of Object.entries(t.answers)) {
      if (answer === "na") continue;
      for (const key of keyOf(t, criterionId)) {
        const a = acc.get(key) ?? { passed: 0, failed: 0 };
        if (answer === "yes") a.passed++;
        else a.failed++;
        acc.set(key, a);
      }
    }
  }
  return new Map([...acc].map(([k, v]) => [k, score(v.passed, v.failed)]));
}

export interface CampaignScores {
  total: Score;
  byCriterion: Map<string, Score>;
  byCommitment: Map<string, Score>;
  bySite: Map<string, Score>;
  byChannel: Map<string, Score>;
}

/** Scores of a set of tests, every criterion that applied counting once. */
export function campaignScores(tests: TestRecord[]): CampaignScores {
  const commitmentsOf = new Map(loadGrids().flatMap((g) => g.criteria.map((c) => [c.id, c.commitments] as const)));
  return {
    total: tally(tests, () => ["all"]).get("all") ?? score(0, 0),
    byCriterion: tally(tests, (_, c) => [c]),
    byCommitment: tally(tests, (_, c) => commitmentsOf.get(c) ?? []),
    bySite: tally(tests, (t) => [t.siteId]),
    byChannel: tally(tests, (t) => [t.channel]),
  };
}

/** Checks a tester's answers against the grid: every criterion answered, nothing else. */
export function checkAnswers(
  grid: Grid,
  input: Record<string, unknown>,
): { ok: true; answers: Record<string, Answer> } | { ok: false; errors: Record<string, string> } {
  const answers: Record<string, Answer> = {};
  const errors: Record<string, string> = {};
  for (const c of grid.criteria) {
    const value = input[`c_${c.id}`];
    if (value === "yes" || value === "no" || value === "na") answers[c.id] = value;
    else errors[`c_${c.id}`] = "Répondez oui, non ou sans objet.";
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, answers };
}
