import { describe, expect, it } from "vitest";
import { searchText, searchWords } from "./search-text.ts";

describe("search text", () => {
  it("drops accents, case and apostrophes", () => {
    expect(searchText("L’Équipe d'accueil À l'écoute")).toBe("l equipe d accueil a l ecoute");
    expect(searchText("Cœur de métier")).toBe("coeur de metier");
  });
  it("splits a query into words", () => {
    expect(searchWords("  équipe,  l'accueil ")).toEqual(["equipe", "l", "accueil"]);
  });
});
