import { describe, expect, it } from "vitest";
import { isValidSiret, normaliseSiret } from "./siret.ts";

describe("SIRET", () => {
  it("accepts real establishment numbers", () => {
    // SIRET numbers as found on public invoices and directories (Luhn key checked by hand).
    expect(isValidSiret("21750001600019")).toBe(true);
    expect(isValidSiret("13002526500013")).toBe(true);
  });

  it("refuses a wrong check digit, a wrong length and letters", () => {
    expect(isValidSiret("21750001600018")).toBe(false);
    expect(isValidSiret("2178049810001")).toBe(false);
    expect(isValidSiret("2178049810001A")).toBe(false);
  });

  it("applies La Poste's own rule", () => {
    // 3+5+6+0…+0+1 = 15, a multiple of 5, though the Luhn key would refuse it.
    expect(isValidSiret("35600000000001")).toBe(true);
    expect(isValidSiret("35600000000002")).toBe(false);
  });

  it("ignores the spaces people type", () => {
    expect(normaliseSiret("217 500 016 00019")).toBe("21750001600019");
  });
});
