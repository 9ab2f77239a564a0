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
  process.send?.({ ...reply, peakRssKb: process.resourceUsage().maxRSS }, () => process.exit(0));
});
