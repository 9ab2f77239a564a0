import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SpreadsheetError, type TableLimits } from "./limits.ts";
import type { TableRecord } from "./table.ts";

/*
 * The one way into an uploaded table (CSV or XLSX) for every importer. The reading runs in a child
 * process with its own heap cap (--max-old-space-size) and a time limit: a file that passes the
 * limits checked while reading (limits.ts) and still asks for too much memory or time kills that
 * process only, and its import fails with a French message while the server goes on answering.
 *
 * A process rather than a worker thread: a worker's `resourceLimits` are ignored when the server runs
 * with --max-old-space-size (nodejs/node#43991), and some allocations past them abort the whole
 * process (nodejs/node#47224; seen here with a small heap). At most two readings run at once (the
 * others wait their turn), so a burst of hostile uploads cannot add up their memory.
 */

/** The reading process's heap: a register at its limits (10,000 × 100 cells) needs well under half of it. */
const HEAP_MB = 160;
const TIME_LIMIT_MS = 30_000;
const PARALLEL = 2;
const ENTRY = fileURLToPath(new URL("./worker-boot.mjs", import.meta.url));

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

/** The largest resident memory a reading process reached, for the tests that measure it. */
export const readingStats = { peakRssMb: 0 };

export { SpreadsheetError, type TableLimits, type TableRecord };

/** The reading process's caps; only tests change them, to see what a person is told when one is reached. */
export interface ReaderCaps {
  heapMb: number;
  timeLimitMs: number;
}

export async function readTable(
  bytes: Uint8Array,
  limits: TableLimits,
  caps: ReaderCaps = { heapMb: HEAP_MB, timeLimitMs: TIME_LIMIT_MS },
): Promise<TableRecord[]> {
  const done = await turn();
  try {
    return await inChildProcess(bytes, limits, caps);
  } finally {
    done();
  }
}

const channelClosed = (error: Error) =>
  ["EPIPE", "ECONNRESET", "ERR_IPC_CHANNEL_CLOSED"].includes((error as NodeJS.ErrnoException).code ?? "");

type Reply = ({ ok: true; records: TableRecord[] } | { ok: false; message: string }) & { peakRssKb: number };

function inChildProcess(bytes: Uint8Array, limits: TableLimits, caps: ReaderCaps): Promise<TableRecord[]> {
  return new Promise((resolve, reject) => {
    const child = fork(ENTRY, [], {
      // Only the heap caps (a small young generation keeps the peak low): neither the server's own flags
      // nor a NODE_OPTIONS that would raise them.
      execArgv: [`--max-old-space-size=${caps.heapMb}`, "--max-semi-space-size=2"],
      env: { ...process.env, NODE_OPTIONS: "" },
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    // The end of what it says on stderr: how a heap exhausted is told from another death.
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4096);
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
      if (child.exitCode === null) child.kill("SIGKILL");
    };
    const timer = setTimeout(
      () => settle(() => reject(new SpreadsheetError("La lecture du fichier a pris trop de temps : découpez-le en plusieurs fichiers."))),
      caps.timeLimitMs,
    );
    child.on("message", (reply: Reply) => {
      readingStats.peakRssMb = Math.max(readingStats.peakRssMb, Math.round(reply.peakRssKb / 1024));
      settle(() => (reply.ok ? resolve(reply.records) : reject(new SpreadsheetError(reply.message))));
    });
    child.on("error", (error) => settle(() => reject(error)));
    child.on("exit", () =>
      settle(() =>
        reject(
          /heap out of memory|Reached heap limit/.test(stderr)
            ? new SpreadsheetError("Le fichier demande trop de mémoire pour être lu : découpez-le en plusieurs fichiers.")
            : new Error(`the table reader stopped without an answer: ${stderr.trim().slice(-500)}`),
        ),
      ),
    );
    // A process that runs out of memory while the file is still on its way closes the channel under the send
    // (EPIPE, seen under load in CI): its exit, which follows, says why; the timer settles if it never comes.
    child.send({ bytes, limits }, (error) => {
      if (error && !channelClosed(error)) settle(() => reject(error));
    });
  });
}
