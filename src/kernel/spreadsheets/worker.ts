import { readFileSync } from "node:fs";
import { SpreadsheetError, type TableLimits, unreadableFile } from "./limits.ts";
import { parseTable } from "./parse.ts";

/**
 * The reading process: one table per process. The bytes and limits come in, the records or the
 * French refusal go out, with the process's peak memory for the record; then it exits.
 */
process.once("message", async (message: { bytes: Uint8Array; limits: TableLimits }) => {
  let reply: { ok: true; records: unknown } | { ok: false; message: string };
  try {
    reply = { ok: true, records: await parseTable(message.bytes, message.limits) };
  } catch (error) {
    // Anything else is a file this reader did not expect: refused as unreadable all the same.
    reply = { ok: false, message: error instanceof SpreadsheetError ? error.message : unreadableFile().message };
  }
  process.send?.({ ...reply, peakRssKb: peakRssKb() }, () => process.exit(0));
});

/**
 * This process's own peak resident memory. Not `resourceUsage().maxRSS`: on Linux it is carried across
 * the fork and exec that start this process, so it reports the server's size at that moment (745 MB
 * seen in CI beside an embedded database) instead of the reader's. VmHWM belongs to this program's
 * memory only.
 */
function peakRssKb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Number(hwm[1]);
  } catch {
    // Not Linux: the current size is the nearest honest figure.
  }
  return Math.round(process.memoryUsage().rss / 1024);
}
