import { describe, expect, it } from "vitest";
import { checkPasswordPolicy } from "./passwords.ts";

describe("the password policy", () => {
  it("accepts passphrases and refuses what a guesser tries first, saying why", () => {
    for (const good of ["une phrase de passe solide", "trois pommes et un vélo", "Kx9#mQ2!vLp8"]) {
      expect(checkPasswordPolicy(good), good).toBeUndefined();
    }
    const cases: Array<[string, string]> = [
      ["court", "au moins 12 caractères"],
      ["aaaaaaaaaaaa", "un seul caractère répété"],
      ["            ", "un seul caractère répété"],
      ["abababababab", "trop peu de caractères différents"],
      ["qwertyuiop12", "plus courants"],
      ["soleil2024!!", "plus courants"],
      ["2024marseille", "plus courants"],
      ["M0tdep@sse99", "plus courants"],
      ["987654321098", "suite de caractères"],
      ["zyxwvutsrqpo", "suite de caractères"],
    ];
    for (const [bad, reason] of cases) expect(checkPasswordPolicy(bad), bad).toContain(reason);
  });

  it("refuses the person's own name or e-mail inside the password", () => {
    const owner = { email: "m.dupuis-leroy@mairie.fr", displayName: "Mathilde Dupuis-Leroy" };
    expect(checkPasswordPolicy("Dupuis pour toujours 2026", owner)).toContain("votre nom");
    expect(checkPasswordPolicy("bonjour mathilde du bureau", owner)).toContain("votre nom");
    expect(checkPasswordPolicy("une phrase de passe solide", owner)).toBeUndefined();
  });
});
