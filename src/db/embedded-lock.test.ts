import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EmbeddedDatabaseBusy, lockEmbeddedDatabase } from "./embedded-lock.ts";

const dirs: string[] = [];
function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "vigie-lock-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("one process per embedded database folder", () => {
  it("refuses a second holder, naming the first, and frees the folder on release", () => {
    const dataDir = path.join(tempDataDir(), "pglite");
    const lock = lockEmbeddedDatabase(dataDir, "serveur");
    lock.describe({ port: 3000 });
    let refused: unknown;
    try {
      lockEmbeddedDatabase(dataDir, "create-admin");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(EmbeddedDatabaseBusy);
    expect(String((refused as Error).message)).toContain(`déjà ouverte par le serveur Vigie (port 3000) (processus ${process.pid}`);
    lock.release();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
    lockEmbeddedDatabase(dataDir, "create-admin").release();
  });

  it("takes over a lock whose process died, or that a crash left empty", () => {
    const dataDir = path.join(tempDataDir(), "pglite");
    // A pid above the kernel's default maximum: no such process.
    writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: 4_194_999, host: hostname(), purpose: "serveur", startedAt: "" }));
    const lock = lockEmbeddedDatabase(dataDir, "demo");
    expect(JSON.parse(readFileSync(`${dataDir}.lock`, "utf8")).pid).toBe(process.pid);
    lock.release();
    writeFileSync(`${dataDir}.lock`, "");
    lockEmbeddedDatabase(dataDir, "demo").release();
  });

  it("does not guess about a lock held from another machine", () => {
    const dataDir = path.join(tempDataDir(), "pglite");
    writeFileSync(`${dataDir}.lock`, JSON.stringify({ pid: 1, host: "autre-serveur", purpose: "serveur", startedAt: "" }));
    expect(() => lockEmbeddedDatabase(dataDir, "demo")).toThrow(/processus 1 sur la machine autre-serveur/);
  });
});

/** A command of the project, run as an administrator would: `npx tsx file args`, in its own process. */
function run(file: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", file, ...args], {
    env: { ...process.env, DATABASE_URL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`attendu en vain : ${what}`);
}

// The embedded engine only: on PostgreSQL the server arbitrates between processes itself.
describe.skipIf(Boolean(process.env.VIGIE_TEST_DATABASE_URL))("the server and the command line on one embedded folder", () => {
  it("refuses create-admin while the server runs, then works once the server was killed", { timeout: 120_000 }, async () => {
    const dataDir = tempDataDir();
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const env = { DATA_DIR: dataDir, PORT: port };
    const server = run("src/app/main.ts", [], env);
    const base = `http://127.0.0.1:${port}`;
    await until(async () => (await fetch(`${base}/setup`).catch(() => undefined))?.status === 200, "le serveur répond");

    const admin = ["--email", "maire@mairie.fr", "--name", "Camille Maire", "--password", "une phrase de passe solide"];
    const refused = run("src/cli/create-admin.ts", admin, env);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain(`est déjà ouverte par le serveur Vigie (port ${port}) (processus ${server.child.pid}`);
    expect(refused.output()).not.toContain("Compte administrateur créé");
    // The server was not disturbed, and no account appeared behind its back.
    expect((await fetch(`${base}/setup`)).status).toBe(200);

    server.child.kill("SIGKILL");
    await server.exited;
    expect(existsSync(path.join(dataDir, "pglite.lock"))).toBe(true);
    const created = run("src/cli/create-admin.ts", admin, env);
    expect(await created.exited).toBe(0);
    expect(created.output()).toContain("Compte administrateur créé : maire@mairie.fr");

    const again = run("src/app/main.ts", [], env);
    try {
      await until(async () => (await fetch(`${base}/login`).catch(() => undefined))?.status === 200, "le serveur redémarre");
      // The account made while the server was down is there: the first-run page is closed.
      const setup = await fetch(`${base}/setup`, { redirect: "manual" });
      expect(setup.status).toBe(302);
    } finally {
      again.child.kill("SIGTERM");
      await again.exited;
    }
    expect(existsSync(path.join(dataDir, "pglite.lock"))).toBe(false);
  });
});
