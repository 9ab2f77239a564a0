import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHANNELS } from "../frameworks/channels.ts";
import { campaignScores, checkAnswers, gridFor, loadGrids } from "./grids.ts";

const frameworkIds = new Set(
  ["marianne-2008", "marianne-2016", "services-publics-plus"].flatMap((f) => {
    const data = JSON.parse(readFileSync(new URL(`../../../data/frameworks/${f}.json`, import.meta.url), "utf8")) as {
      id: string;
      commitments: Array<{ number: number; channels: string[] }>;
    };
    return data.commitments.map((c) => `${data.id}/${c.number}`);
  }),
);

describe("mystery-shopper grids", () => {
  it("ship one grid per channel, criteria with unique ids tied to commitments that exist", () => {
    const grids = loadGrids();
    expect(grids.map((g) => g.channel).sort()).toEqual([...CHANNELS].sort());
    const ids = grids.flatMap((g) => g.criteria.map((c) => c.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of grids.flatMap((g) => g.criteria)) {
      expect(c.commitments.length, c.id).toBeGreaterThan(0);
      for (const id of c.commitments) expect(frameworkIds.has(id), `${c.id} → ${id}`).toBe(true);
    }
  });

  it("asks an answer for every criterion, and only yes, no or not applicable", () => {
    const grid = gridFor("phone");
    const all = Object.fromEntries(grid.criteria.map((c) => [`c_${c.id}`, "yes"]));
    expect(checkAnswers(grid, all).ok).toBe(true);
    const missing = checkAnswers(grid, { ...all, "c_phone.name": undefined, "c_phone.greeting": "peut-être" });
    expect(missing).toEqual({
      ok: false,
      errors: { "c_phone.greeting": "Répondez oui, non ou sans objet.", "c_phone.name": "Répondez oui, non ou sans objet." },
    });
  });

  it("scores the criteria that applied, by criterion, commitment, site and channel", () => {
    const s = campaignScores([
      { siteId: "a", channel: "phone", answers: { "phone.pickup": "yes", "phone.name": "no", "phone.wait": "na" } },
      { siteId: "b", channel: "phone", answers: { "phone.pickup": "no", "phone.name": "no", "phone.wait": "yes" } },
    ]);
    expect(s.total).toEqual({ passed: 2, failed: 3, score: 40 });
    expect(s.byCriterion.get("phone.pickup")).toEqual({ passed: 1, failed: 1, score: 50 });
    expect(s.byCriterion.get("phone.wait")).toEqual({ passed: 1, failed: 0, score: 100 });
    expect(s.bySite.get("a")).toEqual({ passed: 1, failed: 1, score: 50 });
    // marianne-2016/8 is measured by the wait criterion only.
    expect(s.byCommitment.get("marianne-2016/8")).toEqual({ passed: 1, failed: 0, score: 100 });
    // marianne-2008/12 by the pickup criterion only.
    expect(s.byCommitment.get("marianne-2008/12")).toEqual({ passed: 1, failed: 1, score: 50 });
  });
});
