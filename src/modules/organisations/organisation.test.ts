import { describe, expect, it } from "vitest";
import { asTree, canContain, isTimeZone } from "./organisation.ts";

describe("organisation tree", () => {
  it("lets a node hold only lower kinds", () => {
    expect(canContain("network", "region")).toBe(true);
    expect(canContain("region", "site")).toBe(true);
    expect(canContain("site", "service")).toBe(true);
    expect(canContain("site", "region")).toBe(false);
    expect(canContain("service", "service")).toBe(false);
  });

  it("orders a flat list as a walk of the tree", () => {
    const nodes = [
      { id: "c", parentId: "a", name: "Zèbre" },
      { id: "a", parentId: null, name: "Racine" },
      { id: "b", parentId: "a", name: "Abeille" },
      { id: "d", parentId: "b", name: "Fourmi" },
    ];
    expect(asTree(nodes).map((n) => `${n.depth}:${n.name}`)).toEqual(["0:Racine", "1:Abeille", "2:Fourmi", "1:Zèbre"]);
  });

  it("treats a node whose parent is out of sight as a root", () => {
    expect(asTree([{ id: "x", parentId: "hidden", name: "Site" }]).map((n) => n.depth)).toEqual([0]);
  });

  it("knows the IANA time zones", () => {
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("Indian/Reunion")).toBe(true);
    expect(isTimeZone("Paris")).toBe(false);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});
