import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Whether poppler's tools (pdftotext, pdffonts) are installed: the PDF read-backs are skipped without them. */
export const hasPoppler = (() => {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Names the standard PDF fonts (WinAnsi) could not print: « Dvořák » came out « Dvož° », « Łódź »
 * « 6Az », « Nguyễn » « NguyÅn » (issue #18).
 */
export const NAMES_BEYOND_WINANSI = ["Antonín Dvořák", "Łódź", "Nguyễn Thị Lan"];

/** The embedded Marianne as pdffonts lists it: subset, embedded, with a Unicode map. */
export const EMBEDDED_MARIANNE = /[A-Z]{6}\+Marianne-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/;

/**
 * A PDF read back with poppler: its text (every run of white space, no-break ones included, as one
 * space, so a name cut at the end of a line still reads whole) and its fonts as pdffonts lists them.
 */
export function readPdf(pdf: Buffer): { text: string; fonts: string } {
  const dir = mkdtempSync(join(tmpdir(), "vigie-pdf-"));
  try {
    const file = join(dir, "read.pdf");
    writeFileSync(file, pdf);
    return {
      text: execFileSync("pdftotext", [file, "-"], { encoding: "utf8" }).replace(/\s+/g, " "),
      fonts: execFileSync("pdffonts", [file], { encoding: "utf8" }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
