import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/**
 * A throw-away PostgreSQL server of its own (Debian's binaries, a free port, a temporary folder), to
 * stop, kill and restart under a running Vigie without touching the shared test server.
 */
export interface PostgresInstance {
  url: string;
  port: number;
  dir: string;
  /** `pg_ctl start -w`: returns once the server accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop`; `immediate` kills the server without a clean shutdown, as a crash would. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>;
}

/** The newest installed PostgreSQL's bin folder (/usr/lib/postgresql/<major>/bin), or undefined. */
export function postgresBinaries(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? path.join(root, majors[0], "bin") : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function idOf(flag: "-u" | "-g", user: string): Promise<number> {
  return Number((await run("id", [flag, user])).stdout.trim());
}

type Exec = (command: string, args: string[]) => Promise<unknown>;

/** A fresh folder for a server, and how to run PostgreSQL's programs on it (as `postgres` when we are root). */
async function prepare(): Promise<{ bin: string; dir: string; exec: Exec }> {
  const bin = postgresBinaries();
  if (!bin) throw new Error("PostgreSQL introuvable sous /usr/lib/postgresql/*/bin");
  const dir = mkdtempSync(path.join(tmpdir(), "vigie-pg-"));
  // PostgreSQL refuses to run as root: as root, everything runs as the `postgres` user, owner of the folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, await idOf("-u", "postgres"), await idOf("-g", "postgres"));
  const exec: Exec = (command, args) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args]) : run(path.join(bin, command), args);
  return { bin, dir, exec };
}

/** Starts a server on an existing data folder of `dir`, on a free port. */
async function serve(dir: string, exec: Exec): Promise<PostgresInstance> {
  const data = path.join(dir, "data");
  const port = await freePort();
  // wal_level=replica and WAL senders: a standby can be made of any of these servers (startStandby).
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on`;
  const pgCtl = (args: string[]) => exec("pg_ctl", ["-D", data, ...args]);

  const instance: PostgresInstance = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    async start() {
      await pgCtl(["-o", serverOptions, "-l", path.join(dir, "log"), "start", "-w", "-t", "30"]);
    },
    async stop(mode = "fast") {
      await pgCtl(["stop", "-m", mode, "-w", "-t", "30"]);
    },
    async restart() {
      await instance.stop("fast");
      await instance.start();
    },
    async destroy() {
      await pgCtl(["stop", "-m", "immediate"]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await instance.start();
  return instance;
}

export async function startPostgresInstance(): Promise<PostgresInstance> {
  const { dir, exec } = await prepare();
  await exec("initdb", ["-D", path.join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync", "--encoding=UTF8", "--locale=C"]);
  return serve(dir, exec);
}

/**
 * A hot standby of `primary`, streaming its WAL: a copy taken by `pg_basebackup -R` (which writes standby.signal
 * and the connection to the primary), started on a port of its own. It answers reads once consistent; use
 * untilStreaming to know the primary sees it.
 */
export async function startStandby(primary: PostgresInstance): Promise<PostgresInstance> {
  const { dir, exec } = await prepare();
  await exec("pg_basebackup", [
    "-h",
    "127.0.0.1",
    "-p",
    String(primary.port),
    "-U",
    "postgres",
    "-D",
    path.join(dir, "data"),
    "-R",
    "-X",
    "stream",
    "--no-sync",
  ]);
  return serve(dir, exec);
}

/** Waits until the primary lists `standbys` standbys in state `streaming` in pg_stat_replication. */
export async function untilStreaming(primary: PostgresInstance, standbys = 1, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: primary.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>("select count(*)::int as n from pg_stat_replication where state = 'streaming'");
      if ((rows[0]?.n ?? 0) >= standbys) return;
    } finally {
      await client.end();
    }
    if (Date.now() > deadline) throw new Error(`aucune réplique en flux après ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function one<T>(url: string, text: string, values: unknown[] = []): Promise<T | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows[0] as T | undefined;
  } finally {
    await client.end();
  }
}

/** Waits until `standby` has replayed everything `primary` had written when this was called. */
export async function untilReplayed(primary: PostgresInstance, standby: PostgresInstance, timeoutMs = 30_000): Promise<void> {
  const target = (await one<{ lsn: string }>(primary.url, "select pg_current_wal_lsn()::text as lsn"))?.lsn;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await one<{ done: boolean }>(standby.url, "select pg_last_wal_replay_lsn() >= $1::pg_lsn as done", [target]);
    if (row?.done) return;
    if (Date.now() > deadline) throw new Error(`la réplique n'a pas rejoué ${target} en ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Stops (true) or resumes (false) the replay of the WAL on a standby: it keeps receiving, its data stay as they are. */
export async function pauseReplay(standby: PostgresInstance, paused: boolean): Promise<void> {
  await one(standby.url, paused ? "select pg_wal_replay_pause()" : "select pg_wal_replay_resume()");
}
