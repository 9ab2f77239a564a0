import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { CsvRecordReader } from "./csv-records.ts";

/** Feeds the text in pieces of `size` characters, as a stream would. */
function read(text: string, size: number, delimiter = ",") {
  const reader = new CsvRecordReader(delimiter);
  const out = [];
  for (let i = 0; i < text.length; i += size) out.push(...reader.push(text.slice(i, i + size)));
  out.push(...reader.end());
  return out;
}

const MASTER = [
  `"","0612345678","3000","from-trunk","""Mairie, accueil"" <0145>","PJSIP/trunk-1","","Queue","accueil,t,,,300","2025-03-03 09:00:00",,"2025-03-03 09:00:12",12,0,"NO ANSWER","DOCUMENTATION","1741.1",""`,
  `"","0612345679","0144556601","from-trunk","""A"" <1>","PJSIP/trunk-2","PJSIP/poste-1","Dial","PJSIP/poste-1,30","2025-03-03 09:01:00","2025-03-03 09:01:09","2025-03-03 09:03:00",120,111,"ANSWERED","DOCUMENTATION","1741.2",""`,
].join("\r\n");

describe("CsvRecordReader", () => {
  it("reads quoted fields with commas and doubled quotes as csv-parse does, whatever the pieces", () => {
    const expected = parse(MASTER, { relax_column_count: true }) as string[][];
    for (const size of [1, 2, 3, 7, 64, 100_000]) {
      const records = read(`${MASTER}\n`, size);
      expect(records.map((r) => r.cells)).toEqual(expected);
      expect(records.map((r) => r.line)).toEqual([1, 2]);
    }
    expect(expected[0]?.[4]).toBe(`"Mairie, accueil" <0145>`);
    expect(expected[0]?.[8]).toBe("accueil,t,,,300");
    expect(expected[0]).toHaveLength(18);
  });

  it("drops the byte-order mark, skips empty lines and counts them in the line numbers", () => {
    for (const size of [1, 5, 1000]) {
      const records = read('\uFEFFa;b\n\n\r\nc;"d\ne";f\ng;h', size, ";");
      expect(records).toEqual([
        { line: 1, cells: ["a", "b"] },
        { line: 4, cells: ["c", "d\ne", "f"] },
        { line: 6, cells: ["g", "h"] },
      ]);
    }
  });

  it("reports a record with a stray quote and goes on with the next line", () => {
    for (const size of [1, 4, 1000]) {
      const records = read('a,b\nc,"d"x,e\nf,g"h\n"never closed,i\nj,k\n', size);
      expect(records.map((r) => [r.line, r.cells])).toEqual([
        [1, ["a", "b"]],
        [2, null],
        [3, null],
        [4, null],
        [5, ["j", "k"]],
      ]);
    }
  });

  it("keeps empty fields, at the end of a line too", () => {
    expect(read(',,\n"",x,\n', 3).map((r) => r.cells)).toEqual([
      ["", "", ""],
      ["", "x", ""],
    ]);
  });
});
