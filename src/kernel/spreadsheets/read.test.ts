import { describe, expect, it } from "vitest";
import { zipBombXlsx } from "../../../test/support/hostile-files.ts";
import { readTable, SpreadsheetError, type TableLimits } from "./read.ts";

const LIMITS: TableLimits = { maxRows: 100_000, maxColumns: 100, maxCells: 10_000_000, maxInflatedBytes: 100 * 1024 * 1024 };

describe("the reading process", () => {
  it("reads a table and keeps each line's number as the spreadsheet shows it", async () => {
    const records = await readTable(Buffer.from("Objet;Canal\n\nVoirie;courrier;\n"), LIMITS);
    expect(records).toEqual([
      { line: 1, cells: ["Objet", "Canal"] },
      { line: 3, cells: ["Voirie", "courrier"] },
    ]);
  });

  it("turns a reading process out of memory into a French refusal, and the next reading works", async () => {
    // 60,000 lines of 100 cells: far more than a heap of 8 MB can hold.
    const line = Array.from({ length: 100 }, (_, i) => `cellule ${i}`).join(";");
    const big = Buffer.from(`${line}\n`.repeat(60_000));
    const refused = readTable(big, LIMITS, { heapMb: 8, timeLimitMs: 30_000 });
    await expect(refused).rejects.toBeInstanceOf(SpreadsheetError);
    await expect(refused).rejects.toThrow("Le fichier demande trop de mémoire pour être lu : découpez-le en plusieurs fichiers.");
    await expect(readTable(Buffer.from("Objet\nVoirie\n"), LIMITS)).resolves.toHaveLength(2);
  }, 60_000);

  it("stops a reading that takes too long", async () => {
    await expect(readTable(zipBombXlsx(), LIMITS, { heapMb: 160, timeLimitMs: 300 })).rejects.toThrow(
      "La lecture du fichier a pris trop de temps : découpez-le en plusieurs fichiers.",
    );
  });
});
