import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

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

export async function startPostgresInstance(): Promise<PostgresInstance> {
  const bin = postgresBinaries();
  if (!bin) throw new Error("PostgreSQL introuvable sous /usr/lib/postgresql/*/bin");
  const dir = mkdtempSync(path.join(tmpdir(), "vigie-pg-"));
  const data = path.join(dir, "data");
  // PostgreSQL refuses to run as root: as root, everything runs as the `postgres` user, owner of the folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, await idOf("-u", "postgres"), await idOf("-g", "postgres"));
  const exec = (command: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args]) : run(path.join(bin, command), args);

  await exec("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "--encoding=UTF8", "--locale=C"]);
  const port = await freePort();
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
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
