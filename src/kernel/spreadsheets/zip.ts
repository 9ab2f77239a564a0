import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createInflateRaw } from "node:zlib";
import { SpreadsheetError, tooLargeUnzipped, unreadableWorkbook } from "./limits.ts";

/*
 * Just enough of the zip format to read a workbook (an .xlsx is a zip archive). The sizes an archive
 * declares are never trusted: a member is inflated as a stream and its bytes are counted as they come
 * out, against one budget for the whole workbook, so a 1.5 MB file claiming 1,000 bytes for a member
 * that inflates to 1.5 GB is stopped at the budget. Only the members the reader asks for are inflated.
 */

function* pieces(data: Uint8Array, size: number) {
  for (let at = 0; at < data.length; at += size) yield Buffer.from(data.buffer, data.byteOffset + at, Math.min(size, data.length - at));
}

interface Entry {
  method: number;
  compressedSize: number;
  localOffset: number;
}

export class ZipArchive {
  private readonly entries = new Map<string, Entry>();
  private inflated = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxInflatedBytes: number,
  ) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const u16 = (at: number) => view.getUint16(at, true);
    const u32 = (at: number) => view.getUint32(at, true);
    // The end-of-central-directory record: 22 bytes, after a comment of at most 65,535 bytes.
    let end = -1;
    for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
      if (u32(at) === 0x06054b50) {
        end = at;
        break;
      }
    }
    if (end < 0) throw unreadableWorkbook();
    const count = u16(end + 10);
    let at = u32(end + 16);
    for (let i = 0; i < count; i++) {
      if (at + 46 > bytes.length || u32(at) !== 0x02014b50) throw unreadableWorkbook();
      const nameLength = u16(at + 28);
      if (at + 46 + nameLength > bytes.length) throw unreadableWorkbook();
      const name = Buffer.from(bytes.buffer, bytes.byteOffset + at + 46, nameLength).toString("utf8");
      // ZIP64 (0xFFFFFFFF): never needed by a workbook of 10 MB.
      const compressedSize = u32(at + 20);
      const localOffset = u32(at + 42);
      if (compressedSize === 0xffffffff || localOffset === 0xffffffff) throw tooLargeUnzipped();
      this.entries.set(name.replace(/^\/+/, ""), { method: u16(at + 10), compressedSize, localOffset });
      at += 46 + nameLength + u16(at + 30) + u16(at + 32);
    }
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * Inflates one member as a stream of text pieces (UTF-8), each handed over before the next is
   * inflated: nothing but the current piece is held here.
   */
  async read(name: string, onText: (text: string) => void): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) throw unreadableWorkbook();
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const local = entry.localOffset;
    if (local + 30 > this.bytes.length || view.getUint32(local, true) !== 0x04034b50) throw unreadableWorkbook();
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = this.bytes.subarray(start, Math.min(this.bytes.length, start + entry.compressedSize));
    const decoder = new StringDecoder("utf8");
    const take = (chunk: Buffer) => {
      this.inflated += chunk.length;
      if (this.inflated > this.maxInflatedBytes) throw tooLargeUnzipped();
      onText(decoder.write(chunk));
    };
    if (entry.method === 0) {
      for (let at = 0; at < data.length; at += 1 << 16) take(Buffer.from(data.subarray(at, at + (1 << 16))));
    } else if (entry.method === 8) {
      const inflater = createInflateRaw({ chunkSize: 1 << 16 });
      // The compressed bytes go in by small pieces: a stream inflates a whole piece before it heeds
      // backpressure, and a piece of 4 KB inflates to 4 MB at most (deflate's ratio is about 1,032:1).
      Readable.from(pieces(data, 4096)).pipe(inflater);
      try {
        for await (const chunk of inflater as AsyncIterable<Buffer>) take(chunk);
      } catch (error) {
        if (error instanceof SpreadsheetError) throw error;
        throw unreadableWorkbook();
      } finally {
        inflater.destroy();
      }
    } else throw unreadableWorkbook();
    onText(decoder.end());
  }
}
