import { parentPort, workerData } from "node:worker_threads";
import { SpreadsheetError, type TableLimits, unreadableFile as unreadable } from "./limits.ts";
import { parseTable } from "./parse.ts";

/** One table read per worker: the bytes and limits come in, the records or the French refusal go out. */
const { bytes, limits } = workerData as { bytes: Uint8Array; limits: TableLimits };
try {
  parentPort?.postMessage({ ok: true, records: await parseTable(bytes, limits) });
} catch (error) {
  // Anything else is a file this reader did not expect: refused as unreadable all the same.
  parentPort?.postMessage({ ok: false, message: error instanceof SpreadsheetError ? error.message : unreadable().message });
}
