import { Worker } from "node:worker_threads";
import { SpreadsheetError, type TableLimits } from "./limits.ts";
import type { TableRecord } from "./table.ts";

/*
 * The one way into an uploaded table (CSV or XLSX) for every importer. The reading runs in a worker
 * thread with its own heap cap and a time limit: a file that passes the limits checked while reading
 * (limits.ts) and still asks for too much memory or time fails its own import with a French message,
 * while the server's thread goes on answering everyone else. At most two readings run at once (the
 * others wait their turn), so a burst of hostile uploads cannot add up their memory.
 */

/** The worker's heap: a register at its limits (10,000 × 100 cells) needs well under half of it. */
const HEAP_MB = 160;
const TIME_LIMIT_MS = 30_000;
const PARALLEL = 2;

let running = 0;
const waiting: Array<() => void> = [];

async function turn(): Promise<() => void> {
  if (running >= PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

export { SpreadsheetError, type TableLimits, type TableRecord };

export async function readTable(bytes: Uint8Array, limits: TableLimits): Promise<TableRecord[]> {
  const done = await turn();
  try {
    return await inWorker(bytes, limits);
  } finally {
    done();
  }
}

function inWorker(bytes: Uint8Array, limits: TableLimits): Promise<TableRecord[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker-boot.mjs", import.meta.url), {
      workerData: { bytes, limits },
      resourceLimits: { maxOldGenerationSizeMb: HEAP_MB, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
      void worker.terminate();
    };
    const timer = setTimeout(
      () => settle(() => reject(new SpreadsheetError("La lecture du fichier a pris trop de temps : découpez-le en plusieurs fichiers."))),
      TIME_LIMIT_MS,
    );
    worker.on("message", (message: { ok: true; records: TableRecord[] } | { ok: false; message: string }) =>
      settle(() => (message.ok ? resolve(message.records) : reject(new SpreadsheetError(message.message)))),
    );
    worker.on("error", (error: Error & { code?: string }) =>
      settle(() =>
        reject(
          error.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? new SpreadsheetError("Le fichier demande trop de mémoire pour être lu : découpez-le en plusieurs fichiers.")
            : error,
        ),
      ),
    );
    worker.on("exit", () => settle(() => reject(new Error("the table reader stopped without an answer"))));
  });
}
