import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { decodeText, detectSeparator } from "./parse-csv.ts";
import { parseRegister, SheetError } from "./parse-file.ts";
import { declaredUnzippedSize, MAX_UNZIPPED_BYTES } from "./zip-guard.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Windows-1252 as Excel writes it in France: Latin-1 plus œ, €, ’ and friends in 0x80–0x9F. */
function cp1252(text: string): Uint8Array {
  const extra: Record<string, number> = { "€": 0x80, "’": 0x92, "–": 0x96, œ: 0x9c, Œ: 0x8c };
  return Uint8Array.from([...text].map((ch) => extra[ch] ?? ch.charCodeAt(0)));
}

async function xlsx(rows: unknown[][], build?: (sheet: ExcelJS.Worksheet) => void): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("Registre");
  for (const row of rows) sheet.addRow(row);
  build?.(sheet);
  workbook.addWorksheet("Autre").addRow(["ignorée"]);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

describe("reading a CSV register", () => {
  it("reads a comma-separated UTF-8 file with a byte-order mark and quoted fields", async () => {
    const text = '\uFEFFDate de réception,Objet,Nom\n30/04/2027,"Permis, urgent",Éloïse Dupré\n2027-05-02,"Sur deux\nlignes",\n';
    const sheet = await parseRegister(utf8(text));
    expect(sheet.columns).toEqual(["Date de réception", "Objet", "Nom"]);
    expect(sheet.rows).toEqual([
      { line: 2, cells: ["30/04/2027", "Permis, urgent", "Éloïse Dupré"] },
      { line: 3, cells: ["2027-05-02", "Sur deux\nlignes", ""] },
    ]);
  });

  it("reads a semicolon-separated Windows-1252 file as Excel saves it, accents and all", async () => {
    const text = "Objet;Canal;Usager\r\nVœux de la mairie – 5 €;Téléphone;Mme Lefèvre\r\n\r\nL’état civil;courrier;François Cœur\r\n";
    const sheet = await parseRegister(cp1252(text));
    expect(sheet.columns).toEqual(["Objet", "Canal", "Usager"]);
    expect(sheet.rows).toEqual([
      { line: 2, cells: ["Vœux de la mairie – 5 €", "Téléphone", "Mme Lefèvre"] },
      // The blank line 3 is skipped, and still counted: line numbers are the spreadsheet's.
      { line: 4, cells: ["L’état civil", "courrier", "François Cœur"] },
    ]);
  });

  it("detects the separator from the header line, ignoring quoted ones", () => {
    expect(detectSeparator('"a;b",c,d\n1;2;3;4;5')).toBe(",");
    expect(detectSeparator("a;b;c\n1,2")).toBe(";");
    expect(detectSeparator("a\tb\tc")).toBe("\t");
    expect(detectSeparator("objet")).toBe(";");
  });

  it("tells UTF-8 from Windows-1252 and reads UTF-16 from Excel's « Texte Unicode »", () => {
    expect(decodeText(utf8("réclamation"))).toBe("réclamation");
    expect(decodeText(cp1252("réclamation"))).toBe("réclamation");
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Objet\tCanal", "utf16le")]);
    expect(decodeText(utf16)).toBe("Objet\tCanal");
  });

  it("says in French what is wrong with a file it cannot use", async () => {
    await expect(parseRegister(new Uint8Array())).rejects.toThrow("Le fichier est vide.");
    await expect(parseRegister(utf8("Objet;Canal\n"))).rejects.toThrow("aucune demande à importer");
    await expect(parseRegister(utf8('Objet;Canal\n"ouvert;courrier\n'))).rejects.toThrow("mal formé");
    await expect(parseRegister(Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]))).rejects.toThrow(".xls");
    await expect(parseRegister(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).rejects.toBeInstanceOf(SheetError);
  });
});

describe("reading an Excel register", () => {
  it("reads the first sheet: real dates, text dates, numbers, rich text, formulas, with Excel's row numbers", async () => {
    const bytes = await xlsx(
      [
        ["Date de réception", "Objet", "Canal", "Téléphone"],
        [new Date(Date.UTC(2027, 3, 30)), "Permis de construire", "Courrier", 612345678],
        [],
        ["31/02/2027", { richText: [{ text: "Ét" }, { text: "at civil" }] }, "courriel", ""],
      ],
      (sheet) => {
        sheet.getCell("A5").value = { formula: "DATE(2027,5,3)", result: new Date(Date.UTC(2027, 4, 3)) };
        sheet.getCell("B5").value = { formula: 'CONCAT("Carte"," grise")', result: "Carte grise" };
        sheet.getCell("A2").numFmt = "dd/mm/yyyy";
      },
    );
    const sheet = await parseRegister(bytes);
    expect(sheet.columns).toEqual(["Date de réception", "Objet", "Canal", "Téléphone"]);
    expect(sheet.rows).toEqual([
      { line: 2, cells: ["2027-04-30", "Permis de construire", "Courrier", "612345678"] },
      { line: 4, cells: ["31/02/2027", "État civil", "courriel", ""] },
      { line: 5, cells: ["2027-05-03", "Carte grise", "", ""] },
    ]);
  });

  it("reads a workbook whose header does not start on the first row", async () => {
    const bytes = await xlsx([["Registre 2027"], [], ["Objet", "Canal"], ["Voirie", "accueil"]]);
    const sheet = await parseRegister(bytes);
    // The title row is taken as the header of a one-column sheet: the person sees it on the mapping page.
    expect(sheet.columns).toEqual(["Registre 2027"]);
    expect(sheet.rows.map((r) => r.line)).toEqual([3, 4]);
  });
});

describe("guarding against a workbook that expands without end", () => {
  it("reads the sizes a zip archive declares, and refuses one past the limit before opening it", async () => {
    const bytes = await xlsx([["Objet"], ["Voirie"]]);
    const size = declaredUnzippedSize(bytes) ?? 0;
    expect(size).toBeGreaterThan(1000);
    expect(size).toBeLessThan(MAX_UNZIPPED_BYTES);
    // Claim a huge first entry in the central directory: the file is refused, nothing is inflated.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const end = bytes.length - 22;
    expect(view.getUint32(end, true)).toBe(0x06054b50);
    view.setUint32(view.getUint32(end + 16, true) + 24, MAX_UNZIPPED_BYTES + 1, true);
    await expect(parseRegister(bytes)).rejects.toThrow("trop volumineux une fois décompressé");
  });
});
