import { SheetError } from "./sheet.ts";

/** What the sheets of a 10 MB register can expand to; past it the workbook is refused before it is opened. */
export const MAX_UNZIPPED_BYTES = 256 * 1024 * 1024;

/**
 * The total size a zip archive (an .xlsx) says its files expand to, read from its central directory
 * without inflating anything: a small file that would expand to gigabytes (a "zip bomb") is refused
 * before the spreadsheet library holds it all in memory. Undefined when the archive cannot be read.
 */
export function declaredUnzippedSize(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record: 22 bytes, after a comment of at most 65,535 bytes.
  for (let end = bytes.length - 22; end >= Math.max(0, bytes.length - 22 - 0xffff); end--) {
    if (view.getUint32(end, true) !== 0x06054b50) continue;
    const entries = view.getUint16(end + 10, true);
    let at = view.getUint32(end + 16, true);
    let total = 0;
    for (let i = 0; i < entries; i++) {
      if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) return undefined;
      const size = view.getUint32(at + 24, true);
      // 0xFFFFFFFF: the real size is in a ZIP64 field, so over 4 GB anyway.
      if (size === 0xffffffff) return Number.POSITIVE_INFINITY;
      total += size;
      at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    }
    return total;
  }
  return undefined;
}

export function guardUnzippedSize(bytes: Uint8Array): void {
  const size = declaredUnzippedSize(bytes);
  if (size === undefined)
    throw new SheetError("Le classeur Excel n'a pas pu être lu : enregistrez-le de nouveau au format .xlsx, ou en CSV.");
  if (size > MAX_UNZIPPED_BYTES)
    throw new SheetError("Le classeur est trop volumineux une fois décompressé : enregistrez-le en CSV ou découpez-le.");
}
