import { constants, crc32, deflateRawSync } from "node:zlib";

/*
 * Generators for the hostile uploads of issue #19 — nothing huge is committed, each file is built in
 * the test. A workbook is written here by hand (a minimal zip of the five parts Excel needs), so a
 * member can claim any size and inflate to any other.
 */

interface Member {
  name: string;
  /** The deflated bytes (raw deflate). */
  deflated: Buffer;
  /** What the archive declares the member inflates to. */
  declaredSize: number;
  crc: number;
}

const member = (name: string, text: string): Member => {
  const data = Buffer.from(text, "utf8");
  return { name, deflated: deflateRawSync(data), declaredSize: data.length, crc: crc32(data) };
};

export function zipOf(members: Member[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(m.crc >>> 0, 14);
    local.writeUInt32LE(m.deflated.length, 18);
    local.writeUInt32LE(m.declaredSize, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(m.crc >>> 0, 16);
    central.writeUInt32LE(m.deflated.length, 20);
    central.writeUInt32LE(m.declaredSize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, m.deflated);
    centrals.push(central, name);
    offset += local.length + name.length + m.deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/** The parts around the sheet, the same in every workbook built here. */
function frame(): Member[] {
  return [
    member(
      "[Content_Types].xml",
      `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
    ),
    member(
      "_rels/.rels",
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    member(
      "xl/workbook.xml",
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="Registre" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    member(
      "xl/_rels/workbook.xml.rels",
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ),
  ];
}

const sheetXml = (rows: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>${rows}</sheetData></worksheet>`;

/** Issue #19, file 1: 2,000 rows, each with one number in column XFD (the last of 16,384). About 12 KB. */
export function wideXlsx(rows = 2000): Buffer {
  let xml = "";
  for (let r = 1; r <= rows; r++) xml += `<row r="${r}"><c r="XFD${r}"><v>${r}</v></c></row>`;
  return zipOf([...frame(), member("xl/worksheets/sheet1.xml", sheetXml(xml))]);
}

/**
 * Issue #19, file 2: a workbook of about 1.5 MB whose sheet claims 1,000 bytes and inflates to
 * `inflatedBytes` (1.5 GB by default) of `filler` repeated. Built without ever holding the inflated
 * text: one piece of 1 MB is deflated with a full flush (which resets the compressor's memory), so
 * the same deflated bytes repeated are a valid stream of that piece repeated.
 */
export function zipBombXlsx(options: { inflatedBytes?: number; filler?: string } = {}): Buffer {
  const filler = options.filler ?? "<row/>";
  const piece = Buffer.from(filler.repeat(Math.ceil((1 << 20) / filler.length)));
  const count = Math.ceil((options.inflatedBytes ?? 1.5 * 1024 ** 3) / piece.length);
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const head = deflateRawSync(Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>`), flush);
  const body = deflateRawSync(piece, flush);
  const tail = deflateRawSync(Buffer.from("</sheetData></worksheet>"));
  const deflated = Buffer.concat([head, ...Array(count).fill(body), tail]);
  return zipOf([...frame(), { name: "xl/worksheets/sheet1.xml", deflated, declaredSize: 1000, crc: 0 }]);
}

/** Issue #19, file 3: one line of a million columns, some 7.9 MB, then a register line. */
export function wideCsv(columns = 1_000_000): Buffer {
  return Buffer.from(`${Array.from({ length: columns }, (_, i) => `v${i}`).join(";")}\nVoirie;courrier\n`);
}
