import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { inflateSync } from "node:zlib";
import type PDFDocument from "pdfkit";

/**
 * What every PDF of Vigie shares: pdfkit loaded on first use, the Marianne typeface embedded, and
 * text made drawable with it.
 *
 * Why Marianne and not the standard Helvetica of PDF: the standard fonts only speak WinAnsi (Western
 * European letters), so « Dvořák » printed « Dvož° » and « Nguyễn » « NguyÅn » (issue #18).
 * Marianne, the State's typeface shipped with the DSFR, covers Latin (Central European letters and
 * Vietnamese included) and French typography (’ « » œ, the no-break and narrow no-break spaces);
 * pdfkit embeds only the glyphs a document uses.
 */
export type PdfDocument = InstanceType<typeof PDFDocument>;

/** The names the fonts are registered under on every document: `doc.font("bold")`. */
export type FontName = "regular" | "bold";

/** What Vigie uses of a font parsed by fontkit, the library pdfkit lays text out with (it ships no types). */
interface ParsedFont {
  hasGlyphForCodePoint(codePoint: number): boolean;
  layout(text: string): unknown;
}

let fonts: Record<FontName, ParsedFont> | undefined;
let loading: Promise<Record<FontName, ParsedFont>> | undefined;

/**
 * Read from the DSFR package wherever the code runs: from src/ under tsx or vitest, or bundled in
 * dist/ (scripts/build.mjs keeps `import.meta.url` pointing at this source file, and packages stay in
 * node_modules).
 */
function fontFile(weight: "Regular" | "Bold"): string {
  const dsfr = path.dirname(createRequire(import.meta.url).resolve("@gouvfr/dsfr/package.json"));
  return path.join(dsfr, "dist", "fonts", `Marianne-${weight}.woff`);
}

/**
 * A WOFF file decompressed into the TrueType file it wraps. fontkit 2.0.4 cannot be given either of
 * the DSFR's formats as they are: from a WOFF it reads each table as a separate buffer and throws on
 * the empty glyphs at the end of Marianne's glyph table (the no-break spaces: foliojs/fontkit#378),
 * and from a WOFF2 it embeds glyph data still in WOFF2's transformed form, so the PDF shows blank
 * pages. Unwrapped once, the same font works. WOFF 1.0: a 44-byte header, then per table its tag,
 * offset, compressed and original lengths and checksum; a table is zlib data when it is shorter.
 */
function sfntFromWoff(woff: Buffer): Buffer {
  if (woff.toString("latin1", 0, 4) !== "wOFF") throw new Error("pas un fichier WOFF");
  const count = woff.readUInt16BE(12);
  const tables = Array.from({ length: count }, (_, i) => {
    const at = 44 + i * 20;
    const offset = woff.readUInt32BE(at + 4);
    const stored = woff.subarray(offset, offset + woff.readUInt32BE(at + 8));
    const length = woff.readUInt32BE(at + 12);
    return {
      tag: woff.toString("latin1", at, at + 4),
      checksum: woff.readUInt32BE(at + 16),
      data: stored.length < length ? inflateSync(stored) : stored,
    };
  }).sort((a, b) => (a.tag < b.tag ? -1 : 1));
  const padded = (n: number) => (n + 3) & ~3;
  const headerSize = 12 + 16 * count;
  const sfnt = Buffer.alloc(tables.reduce((n, t) => n + padded(t.data.length), headerSize));
  woff.copy(sfnt, 0, 4, 8); // the flavour: TrueType or CFF
  const power = 2 ** Math.floor(Math.log2(count));
  sfnt.writeUInt16BE(count, 4);
  sfnt.writeUInt16BE(power * 16, 6);
  sfnt.writeUInt16BE(Math.log2(power), 8);
  sfnt.writeUInt16BE((count - power) * 16, 10);
  let offset = headerSize;
  tables.forEach((t, i) => {
    const at = 12 + 16 * i;
    sfnt.write(t.tag, at, "latin1");
    sfnt.writeUInt32BE(t.checksum, at + 4);
    sfnt.writeUInt32BE(offset, at + 8);
    sfnt.writeUInt32BE(t.data.length, at + 12);
    t.data.copy(sfnt, offset);
    offset += padded(t.data.length);
  });
  return sfnt;
}

/** Marianne regular and bold, read and parsed once per process, on the first PDF. */
export function loadFonts(): Promise<Record<FontName, ParsedFont>> {
  loading ??= (async () => {
    // @ts-expect-error fontkit ships no type declarations; it is pdfkit's own dependency, the same copy.
    const fontkit = (await import("fontkit")) as { create(data: Buffer): ParsedFont };
    const parse = (weight: "Regular" | "Bold") => fontkit.create(sfntFromWoff(readFileSync(fontFile(weight))));
    fonts = { regular: parse("Regular"), bold: parse("Bold") };
    return fonts;
  })().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * Registers the fonts on a document as "regular" and "bold" and starts it in regular. The parsed
 * fonts themselves are handed over: pdfkit 0.20 takes a fontkit font as well as bytes (its
 * PDFFontFactory checks for `layout`; @types/pdfkit does not say so), and each document then skips
 * parsing the font again. pdfkit still makes its own subset per document.
 */
function registerFonts(doc: PdfDocument): PdfDocument {
  if (!fonts) throw new Error("loadFonts() d'abord");
  for (const [name, font] of Object.entries(fonts)) doc.registerFont(name, font as unknown as PDFKit.Mixins.PDFFontSource);
  return doc.font("regular");
}

/**
 * Makes a PDF: pdfkit and the fonts loaded on first use, not at start (issue #17, point 6: pdfkit
 * costs ~30 MB and ~0.35 s to load), `draw` fills the document, the promise gives its bytes.
 */
export async function renderPdf(options: PDFKit.PDFDocumentOptions, draw: (doc: PdfDocument) => void): Promise<Buffer> {
  const [{ default: PDFDocumentClass }] = await Promise.all([import("pdfkit"), loadFonts()]);
  return new Promise((resolve, reject) => {
    const doc = new PDFDocumentClass(options);
    const chunks: Buffer[] = [];
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    registerFonts(doc);
    draw(doc);
    doc.end();
  });
}

/**
 * Signs Vigie's own texts use that Marianne lacks, and what is printed instead: the hyphen U+2010 and
 * the non-breaking hyphen U+2011 (Marianne has only the ASCII one), the check mark ✓. And two that
 * come with pasted text: a tab (pdfkit lays out none) and the soft hyphen (pdfkit turns it into a
 * hyphen where a line breaks, but draws it as a missing glyph everywhere else).
 */
const STAND_INS: Record<string, string> = { "\u2010": "-", "\u2011": "-", "✓": "oui", "\t": " ", "\u00ad": "" };

/**
 * Text as Marianne can print it. Every character it has is kept: the no-break spaces of French
 * typography, ’ « » œ, ≥ →, Central European and Vietnamese letters. Line ends become « \n », the
 * one pdfkit breaks lines at (a « \r » left from a form's CRLF would print as a missing glyph), and
 * other control characters go. For the few characters it lacks: a stand-in for our own signs, else
 * the compatibility form if Marianne has it (the ordinal ᵉ of « 9ᵉ » becomes « e »), else the letter
 * without an accent Marianne lacks, else « ? ». A Cyrillic, Greek or Chinese name gets « ? »: no font
 * of the project has those letters (Atkinson Hyperlegible, the other one, covers Latin only), and
 * « ? » is at least what the text layer says too, where a missing glyph prints a box and copies as nothing.
 */
export function pdfText(text: string): string {
  const regular = fonts?.regular;
  const bold = fonts?.bold;
  if (!regular || !bold) throw new Error("loadFonts() d'abord");
  const has = (ch: string) => {
    const code = ch.codePointAt(0) ?? 0;
    return regular.hasGlyphForCodePoint(code) && bold.hasGlyphForCodePoint(code);
  };
  let out = "";
  for (const ch of text.replace(/\r\n?/g, "\n")) {
    if (ch === "\n" || has(ch)) {
      out += ch;
      continue;
    }
    const standIn = STAND_INS[ch];
    if (standIn !== undefined) {
      out += standIn;
      continue;
    }
    if (/\p{Cc}/u.test(ch)) continue;
    const parts = [...ch.normalize("NFKD")].filter((c) => has(c) || !/\p{M}/u.test(c));
    out += parts.length && parts.every(has) ? parts.join("") : "?";
  }
  return out;
}
