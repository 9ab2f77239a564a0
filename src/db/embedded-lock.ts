import { randomBytes } from "node:crypto";
import { closeSync, linkSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { INSTANCE_TIME_ZONE } from "../kernel/time.ts";
import { formatDateTime } from "../ui/format.ts";

/**
 * One writer per embedded database. PGlite is PostgreSQL in this process's memory, writing its files
 * as it goes: a second process opening the same folder works on its own copy, and whichever closes
 * last overwrites the other's writes (an admin created by the command line while the server runs is
 * gone at the next restart). So the folder is locked by a file that only one process can create (a
 * hard link, which fails when the name exists), holding who has it. A lock left by a process that died (kill -9, power cut) is taken over once its process is
 * known to be gone on this machine.
 */
export interface LockHolder {
  pid: number;
  host: string;
  /** What holds it: « serveur » or the command line's name. */
  purpose: string;
  startedAt: string;
  /** The server's address, when it is one. */
  port?: number | undefined;
}

export class EmbeddedDatabaseBusy extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(busyMessage(dataDir, holder));
    this.name = "EmbeddedDatabaseBusy";
  }
}

function busyMessage(dataDir: string, h: LockHolder): string {
  const what = h.purpose === "serveur" ? `le serveur Vigie${h.port ? ` (port ${h.port})` : ""}` : `la commande « ${h.purpose} »`;
  const since = Number.isNaN(Date.parse(h.startedAt)) ? "" : `, depuis le ${formatDateTime(new Date(h.startedAt), INSTANCE_TIME_ZONE)}`;
  const where = h.host === hostname() ? `processus ${h.pid}` : `processus ${h.pid} sur la machine ${h.host}`;
  return (
    `La base embarquée ${dataDir} est déjà ouverte par ${what} (${where}${since}). ` +
    "Une base embarquée n'accepte qu'un seul processus à la fois : arrêtez-le avant de lancer celui-ci, " +
    "ou passez à PostgreSQL (DATABASE_URL) pour faire travailler plusieurs processus ensemble."
  );
}

/** Whether a process of this machine still runs, and is a Node.js process (a pid can be reused). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return /node|tsx|vigie/.test(cmdline);
  } catch {
    // No /proc (macOS): a live pid is taken as the holder.
    return true;
  }
}

function readHolder(lockPath: string): { raw: string; holder: LockHolder } | undefined {
  let raw: string;
  try {
    raw = readFileSync(lockPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return { raw, holder: JSON.parse(raw) as LockHolder };
  } catch {
    // Unreadable (the file is written whole before it takes the lock's name, so only a damaged disk
    // gives this): nobody can be said to hold it.
    return { raw, holder: { pid: 0, host: hostname(), purpose: "?", startedAt: "" } };
  }
}

export interface EmbeddedLock {
  readonly path: string;
  /** Says which port the server listens on, for the message another process will read. */
  describe(details: { port?: number }): void;
  release(): void;
}

export function lockEmbeddedDatabase(dataDir: string, purpose: string): EmbeddedLock {
  const lockPath = `${dataDir}.lock`;
  const holder: LockHolder = { pid: process.pid, host: hostname(), purpose, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    // Written whole under a name of its own, then linked to the lock's name, which fails if the lock
    // exists: another process never reads a lock half written.
    const draft = `${lockPath}.${process.pid}.${randomBytes(4).toString("hex")}`;
    writeFileSync(draft, JSON.stringify(holder), { mode: 0o644 });
    try {
      linkSync(draft, lockPath);
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        process.off("exit", release);
        try {
          // Only our own lock: never a file another process took over after us.
          if (readHolder(lockPath)?.holder.pid === process.pid) unlinkSync(lockPath);
        } catch {
          // Already gone.
        }
      };
      process.on("exit", release);
      return {
        path: lockPath,
        describe(details) {
          Object.assign(holder, details);
          if (held) writeFileAtomically(lockPath, JSON.stringify(holder));
        },
        release,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      unlinkSync(draft);
    }
    const found = readHolder(lockPath);
    if (!found) continue;
    const { raw, holder: other } = found;
    if (other.host !== hostname() || alive(other.pid)) throw new EmbeddedDatabaseBusy(dataDir, other);
    // The holder is gone. Remove its lock only if it is still the same file we read, so two processes
    // recovering at once do not remove each other's fresh lock.
    if (readHolder(lockPath)?.raw === raw) {
      try {
        unlinkSync(lockPath);
      } catch {
        // Another process recovered it first.
      }
    }
  }
  const last = readHolder(lockPath);
  throw new EmbeddedDatabaseBusy(dataDir, last?.holder ?? holder);
}

function writeFileAtomically(file: string, content: string): void {
  // Rewritten in place: the lock must never be absent, even for an instant.
  const fd = openSync(file, "r+");
  try {
    writeSync(fd, content.padEnd(512, " "), 0);
  } finally {
    closeSync(fd);
  }
}
