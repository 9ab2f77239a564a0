import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NBSP, NNBSP } from "../ui/format.ts";
import { loadFonts, pdfText, renderPdf } from "./pdf.ts";

const hasPoppler = (() => {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

const NAMES = ["Antonín Dvořák", "Łódź", "Nguyễn Thị Lan", "Œuvre d’Éloïse"];

describe("text for the PDFs", () => {
  beforeAll(() => loadFonts());

  it("keeps every letter and sign Marianne has", () => {
    for (const s of [...NAMES, `85${NNBSP}%`, `Objet${NBSP}: « oui »`, "≥ 80 % → ≤ 2 j", "Śląsk, Kraków, Brașov, Ærø, İzmir"])
      expect(pdfText(s)).toBe(s);
    expect(pdfText("ligne 1\nligne 2")).toBe("ligne 1\nligne 2");
  });

  it("keeps line ends as pdfkit breaks them and drops what would print as a missing glyph", () => {
    expect(pdfText("Madame,\r\n\r\nNous\rfin")).toBe("Madame,\n\nNous\nfin");
    expect(pdfText("a\tb\u0000c")).toBe("a bc");
    expect(pdfText("anti\u00adconstitutionnellement")).toBe("anticonstitutionnellement");
  });

  it("stands in for the few it lacks, and says « ? » for a script it does not have", () => {
    expect(pdfText("9ᵉ décile")).toBe("9e décile");
    expect(pdfText("rendez\u2011vous")).toBe("rendez-vous");
    expect(pdfText("✓")).toBe("oui");
    expect(pdfText("Иван")).toBe("????");
    expect(pdfText("merci 😊")).toBe("merci ?");
  });
});

describe.skipIf(!hasPoppler)("a PDF in Marianne", () => {
  const dir = mkdtempSync(join(tmpdir(), "vigie-pdf-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints the names as written, embeds Marianne subset, and its glyphs are drawn", async () => {
    const pdf = await renderPdf({ size: "A4", margin: 56 }, (doc) => {
      doc
        .font("bold")
        .fontSize(16)
        .text(pdfText(NAMES.join(" — ")));
      doc
        .font("regular")
        .fontSize(11)
        .text(pdfText(`Taux${NBSP}: 85${NNBSP}% (9ᵉ décile ≥ 80${NNBSP}%)`));
    });
    const file = join(dir, "names.pdf");
    writeFileSync(file, pdf);
    const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" });
    for (const name of NAMES) expect(text).toContain(name);
    expect(text).toContain("9e décile ≥ 80");
    const fonts = execFileSync("pdffonts", [file], { encoding: "utf8" });
    // Subset (a six-letter prefix), embedded, with a Unicode map: « emb sub uni » all « yes ».
    expect(fonts).toMatch(/[A-Z]{6}\+Marianne-Bold\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(fonts).toMatch(/[A-Z]{6}\+Marianne-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(fonts).not.toContain("Helvetica");
    // Only the glyphs used: the two fonts whole would weigh some 240 KB.
    expect(pdf.length).toBeLessThan(40_000);
    // Drawn, not only present in the text layer (glyph data fontkit mangles prints blank and still reads back).
    execFileSync("pdftoppm", ["-gray", "-r", "30", "-f", "1", "-l", "1", "-singlefile", file, join(dir, "page")]);
    const pgm = readFileSync(join(dir, "page.pgm"));
    const header = /^P5\s+\d+\s+\d+\s+255\s/.exec(pgm.subarray(0, 64).toString("latin1"))?.[0] ?? "";
    const dark = pgm.subarray(header.length).filter((v) => v < 128).length;
    expect(dark).toBeGreaterThan(200);
  });
});
