import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATA_DIR, FRAMEWORK_FILES, frameworkFileSchema, leverCommitmentIds, loadReferenceData } from "./reference-data.ts";

const frameworks = FRAMEWORK_FILES.map((f) =>
  frameworkFileSchema.parse(JSON.parse(readFileSync(path.join(DATA_DIR, "frameworks", f), "utf8"))),
);
const byId = new Map(frameworks.map((f) => [f.id, f]));

describe("the three frameworks as data", () => {
  it("hold 19, 12 and 9 commitments", () => {
    expect(byId.get("marianne-2008")?.commitments).toHaveLength(19);
    expect(byId.get("marianne-2016")?.commitments).toHaveLength(12);
    expect(byId.get("sp+2021")?.commitments).toHaveLength(9);
    expect(byId.get("sp+2023")?.commitments).toHaveLength(8);
  });

  it("maps every SP+ 2021 commitment to the 2023 framework, and says which 2023 texts are not confirmed", () => {
    const { links } = loadReferenceData();
    for (let n = 1; n <= 9; n++)
      expect(
        links.some((l) => l.from === `sp+2021/${n}` && l.to.startsWith("sp+2023/")),
        `sp+2021/${n}`,
      ).toBe(true);
    const sp2023 = byId.get("sp+2023")?.commitments ?? [];
    expect(sp2023[7]?.details).toContain("Intitulé non confirmé");
    expect(sp2023.every((c) => c.details)).toBe(true);
    // The yearly self-assessment of 2021 n° 8 stays a target after the move.
    expect(sp2023[6]?.targets).toContainEqual(expect.objectContaining({ metric: "self_assessment", value: 1 }));
  });

  it("maps the lever bank to SP+ 2023 through the 2021 links", () => {
    const data = loadReferenceData();
    const lever = data.levers.find((l) => l.mappings["sp+2021"].includes("sp+2021/2"));
    expect(lever && leverCommitmentIds(lever, data.links)).toContain("sp+2023/2");
  });

  it("carry the measurable targets the texts state", () => {
    const target = (id: string) => frameworks.flatMap((f) => f.commitments).find((c) => c.id === id)?.targets;
    expect(target("marianne-2008/10")).toContainEqual(expect.objectContaining({ metric: "reply_delay", value: 15, unit: "working_days" }));
    expect(target("marianne-2008/11")).toContainEqual(expect.objectContaining({ metric: "reply_delay", value: 5, unit: "working_days" }));
    expect(target("marianne-2008/12")).toContainEqual(expect.objectContaining({ metric: "call_pickup_rings", value: 5 }));
    expect(target("marianne-2008/13")).toContainEqual(
      expect.objectContaining({ metric: "reply_delay", value: 15, kinds: ["complaint", "suggestion"] }),
    );
    expect(target("marianne-2016/7")).toContainEqual(
      expect.objectContaining({ value: 7, unit: "calendar_days", channels: ["email", "web"] }),
    );
    expect(target("marianne-2016/7")).toContainEqual(expect.objectContaining({ value: 14, unit: "calendar_days", channels: ["letter"] }));
  });

  it("groups Marianne 2008's quality-system commitments 15 to 19 under one theme", () => {
    const m2008 = byId.get("marianne-2008");
    const themes = new Set(m2008?.commitments.filter((c) => c.number >= 15).map((c) => c.theme));
    expect(themes.size).toBe(1);
  });

  it("details Services Publics+ commitment 8 with the trainings of the charter", () => {
    const c8 = byId.get("sp+2021")?.commitments[7];
    const text = c8?.requirements.map((r) => r.text).join(" ") ?? "";
    for (const word of [
      "handicap",
      "posture",
      "administrations",
      "numérique",
      "réglementation",
      "bienveillance",
      "auto-évaluation",
      "dysfonctionnements",
    ]) {
      expect(text).toContain(word);
    }
  });

  it("loads with every mapping and lever pointing at a commitment that exists", () => {
    const data = loadReferenceData();
    expect(data.links.length).toBeGreaterThan(20);
    expect(data.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  const seeds = path.resolve(DATA_DIR, "../../shared/seeds");
  it.skipIf(!existsSync(seeds))("copies every commitment title word for word from the seed documents", () => {
    const seedFiles: Record<string, string> = {
      "marianne-2008": "000_80f913ec9b959f62.txt",
      "marianne-2016": "001_44db3d0a174e7513.txt",
      "sp+2021": "003_06e0dfd8c509d637.txt",
    };
    // SP+ 2023 has no seed: its titles come from a prefecture page cited in data/frameworks/README.md.
    for (const f of frameworks.filter((f) => seedFiles[f.id])) {
      const seed = readFileSync(path.join(seeds, seedFiles[f.id] ?? ""), "utf8").replace(/\s+/g, " ");
      for (const c of f.commitments) expect(seed, `${c.id}`).toContain(c.title.replace(/\s+/g, " "));
    }
  });
});
