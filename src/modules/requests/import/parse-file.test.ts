import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { wideCsv, wideXlsx, zipBombXlsx, zipOf } from "../../../../test/support/hostile-files.ts";
import { decodeText, detectSeparator } from "../../../kernel/spreadsheets/csv.ts";
import { parseRegister, SheetError } from "./parse-file.ts";

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

describe("refusing the hostile files of issue #19, each with its French reason", () => {
  it("a 17 KB workbook whose 2,000 rows each have one cell in column XFD", async () => {
    const started = Date.now();
    await expect(parseRegister(wideXlsx())).rejects.toThrow(
      "Le fichier a une valeur au-delà de la colonne 100 (ligne 1, colonne XFD) : 100 colonnes au plus.",
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a 2.4 MB workbook claiming 1,000 bytes for a sheet that inflates to 1.5 GB: stopped at 100 MB inflated", async () => {
    const bomb = zipBombXlsx();
    expect(bomb.length).toBeLessThan(10 * 1024 * 1024);
    await expect(parseRegister(bomb)).rejects.toThrow(
      "Le classeur est trop volumineux une fois décompressé : enregistrez-le en CSV ou découpez-le.",
    );
    // Building the bomb deflates 1.5 GB: 7 s alone, over 30 s beside the other engine's pass on two cores.
  }, 120_000);

  it("a workbook inflating to one endless text (spaces), which the XML parser would hold whole", async () => {
    await expect(parseRegister(zipBombXlsx({ filler: " ", inflatedBytes: 200 * 1024 * 1024 }))).rejects.toThrow(
      "Le classeur Excel n'a pas pu être lu",
    );
  }, 120_000);

  it("a 7.9 MB CSV of one line with a million columns", async () => {
    const csv = wideCsv();
    expect(csv.length).toBeGreaterThan(7_800_000);
    await expect(parseRegister(csv)).rejects.toThrow("La ligne 1 du fichier dépasse 1 Mo sans fin de ligne : est-ce bien un tableau ?");
  });

  it("a CSV of short lines past 300 fields, and one of too many rows", async () => {
    await expect(parseRegister(utf8(`Objet;Canal\n${"x;".repeat(400)}\n`))).rejects.toThrow("La ligne 2 du fichier a plus de 300 colonnes");
    await expect(parseRegister(utf8(`Objet\n${"Voirie\n".repeat(10_001)}`))).rejects.toThrow(
      "Le fichier contient plus de 10\u202f000 lignes ; 10\u202f000 au plus par import : découpez-le en plusieurs fichiers.",
    );
  });

  it("an empty zip, and a workbook cut short", async () => {
    await expect(parseRegister(zipOf([]))).rejects.toThrow("Ce fichier n'est ni un tableau CSV ni un classeur .xlsx.");
    const truncated = wideXlsx(1).subarray(0, 200);
    await expect(parseRegister(truncated)).rejects.toThrow("Le classeur Excel n'a pas pu être lu");
  });
});
