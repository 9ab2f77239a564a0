import { fsyncSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";

/**
 * What the embedded engine really flushes, and how it is made to flush commits.
 *
 * PGlite starts PostgreSQL with `-F` (fsync off), and its Node file system (Emscripten's NODEFS)
 * implements neither `fsync` nor `fdatasync`: the `fdatasync` system call is a stub that returns 0, and
 * `fsync` calls the file system's `fsync` operation, which NODEFS does not have. A commit therefore
 * reaches the operating system's cache, which survives a crash of the process (kill -9), but not a
 * crash of the machine or a power cut.
 *
 * So, on a data folder: PostgreSQL is started without `-F` and told to flush its WAL with `fsync`
 * (`wal_sync_method=fsync`), and NODEFS is given the missing `fsync` operation, a real `fsync(2)` on
 * the file's descriptor. A commit then returns only once its WAL record is on the disk, as on a
 * PostgreSQL server. This reaches into PGlite's Emscripten module (`mod.NODEFS`): if a PGlite version
 * no longer exposes it, `makeDurable` says so and the caller reports the embedded mode as not durable.
 */
export function durableStartParams(): string[] {
  return [
    ...PGlite.defaultStartParams.filter((p) => p !== "-F"),
    "-c",
    "wal_sync_method=fsync",
    // PostgreSQL's default 128 MB of shared buffers is allocated inside the WebAssembly memory, resident
    // as soon as it is touched: 32 MB keeps the embedded server under 300 MB (issue #17, point 6; figures
    // in docs/performance.md) and is still far more than a town hall's working set of pages.
    "-c",
    "shared_buffers=32MB",
  ];
}

interface StreamLike {
  nfd?: number;
}
interface NodeFsLike {
  stream_ops: { fsync?: (stream: StreamLike) => number };
}

/** Counts the flushes made, for the test that proves the path is live in the PGlite version installed. */
export const flushes = { count: 0 };

export function makeDurable(pglite: PGlite): boolean {
  const nodefs = (pglite as unknown as { mod?: { NODEFS?: NodeFsLike } }).mod?.NODEFS;
  if (!nodefs?.stream_ops) return false;
  nodefs.stream_ops.fsync = (stream) => {
    // A directory or a stream NODEFS has not opened on the host has no descriptor: nothing to flush.
    if (typeof stream.nfd === "number") {
      fsyncSync(stream.nfd);
      flushes.count += 1;
    }
    return 0;
  };
  return true;
}
