import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * `npm start` runs the bundle scripts/build.mjs compiles (issue #17, point 6), not the sources the other
 * tests run: this builds it afresh into a folder of its own (never a dist/ left on the disk) and starts it
 * as `npm start` does, on a fresh embedded DATA_DIR, then on the same folder again. Pages that read files
 * beside their source (the style sheet) prove the bundle still finds them.
 */
const root = path.resolve(import.meta.dirname, "..");
// Inside the repository (data/test-* is ignored by git): the bundle finds its packages in node_modules from there.
const work = mkdtempSync(path.join(root, "data", "test-compiled-"));
const outdir = path.join(work, "dist");
const dataDir = path.join(work, "data");
const port = 43_000 + Math.floor(Math.random() * 2000);

async function start(): Promise<{ child: ChildProcess; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ["--liftoff-only", path.join(outdir, "main.js")], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let errors = "";
  child.stderr?.on("data", (chunk) => {
    errors += chunk;
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`arrêt du serveur compilé : ${errors}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/live`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, ms: performance.now() - started };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  return exited;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("compiled server (npm start)", () => {
  it("builds, starts on a fresh folder, serves its pages, stops cleanly and restarts", async () => {
    execFileSync(process.execPath, ["scripts/build.mjs", "--force", "--outdir", outdir], { cwd: root, stdio: "pipe" });
    const first = await start();
    try {
      expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(home.status).toBeLessThan(400);
      const html = await home.text();
      // The style sheet is built from files read beside src/ui/assets.ts.
      const sheet = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
      expect(sheet).toBeTruthy();
      const css = await fetch(`http://127.0.0.1:${port}${sheet}`);
      expect(css.status).toBe(200);
      expect((await css.text()).length).toBeGreaterThan(1000);
    } finally {
      expect(await stop(first.child)).toBe(0);
    }
    const again = await start();
    expect(await stop(again.child)).toBe(0);
  }, 180_000);
});
