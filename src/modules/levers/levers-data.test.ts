import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATA_DIR, leverFileSchema } from "../frameworks/reference-data.ts";

const file = leverFileSchema.parse(JSON.parse(readFileSync(path.join(DATA_DIR, "levers/levers.json"), "utf8")));
const levers = file.levers;

/** Genuine words, names and tokens the French word list does not hold. */
const ALLOW = new Set([
  // elided forms left by splitting on the apostrophe (l'accueil, qu'il, aujourd'hui)
  ...["l", "d", "qu", "s", "c", "n", "aujourd"],
  // proper nouns, acronyms, a URL part
  ...["marianne", "faq", "fr", "wikipedia"],
  // placeholders and abbreviations of the source ("Mr xxx", "après X sonneries", "n° de bureau")
  ...["xxx", "xxxx", "xx", "x", "mr", "n°", "vs", "intuitu", "personae"],
  // French words missing from the list
  ...["courriel", "courriels", "intranet", "web", "webmestre", "spam", "anti", "semi", "ciblés", "complétude"],
  ...["mutualiser", "redirigé", "rebasculer", "normage"],
]);

function tokens(text: string): string[] {
  return text
    .replace(/\(s\)/g, "")
    .split(/[\s'’.,;:!?()«»"/]+/u)
    .map((t) => t.replace(/^-+|-+$/g, "").toLowerCase())
    .filter((t) => t && !/^\d+$/.test(t));
}

describe("the lever bank rebuilt from the deployment kit", () => {
  it("holds the 347 actions recovered, with unique ids in order", () => {
    expect(levers).toHaveLength(347);
    expect(levers.map((l) => l.id)).toEqual(levers.map((_, i) => `lever-${String(i + 1).padStart(3, "0")}`));
  });

  it("files actions under every Marianne 2008 commitment", () => {
    const commitments = new Set(levers.map((l) => l.commitment));
    expect(commitments.size).toBe(19);
  });

  it("keeps no fragment of the broken extraction", () => {
    const fragments = readFileSync(path.join(DATA_DIR, "levers/broken-fragments.txt"), "utf8")
      .split("\n")
      .map((f) => f.trim().toLowerCase())
      .filter(Boolean);
    expect(fragments.length).toBeGreaterThan(60);
    const hits = levers.flatMap((l) =>
      fragments.filter((f) => l.text.toLowerCase().includes(f) || l.category.toLowerCase().includes(f)).map((f) => `${l.id}: « ${f} »`),
    );
    expect(hits).toEqual([]);
  });

  it("spells every word as the French dictionary does", () => {
    const require = createRequire(import.meta.url);
    const known = new Set((require("an-array-of-french-words") as string[]).map((w) => w.toLowerCase()));
    const ok = (w: string) =>
      known.has(w) || ALLOW.has(w) || (w.includes("-") && w.split("-").every((p) => !p || known.has(p) || ALLOW.has(p)));
    const unknown = levers.flatMap((l) => [...tokens(l.text), ...tokens(l.category)].filter((w) => !ok(w)).map((w) => `${l.id}: ${w}`));
    expect(unknown).toEqual([]);
  });

  it("restores the accents the extraction lost", () => {
    const sample = levers.find((l) => l.text.startsWith("Afficher les horaires d'ouverture"));
    expect(sample?.text).toBe("Afficher les horaires d'ouverture à l'extérieur du bâtiment");
    expect(levers.some((l) => l.text.includes("signalétique"))).toBe(true);
  });
});
