/**
 * Start-up of the embedded mode beside a bare Fastify (issue #17, point 6):
 *
 *   npm run bench -- startup [--rounds 5] [--entry dist|tsx]
 *
 * Each start is its own process, timed from spawn to the first answer of GET /health/live; its resident
 * peak (VmHWM from /proc) is read at that moment. Three Vigie starts per round: first start on a fresh
 * DATA_DIR (migrations), then a restart on the same folder; the bare Fastify (bench/startup/bare-fastify.mjs)
 * is started before and after them. After one warm-up round, at least 5 rounds; per round the ratio of
 * Vigie to the mean of the two bare starts; the median of those ratios with min and max, never the best round.
 * `--entry dist` (default) runs what `npm start` runs (`node --liftoff-only dist/main.js`, compiled by scripts/build.mjs first);
 * `--entry tsx` runs the sources through tsx, as `npm start` did before.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { log, machine, median } from "../harness.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const rounds = Number(option("rounds", "5"));
const entry = option("entry", "dist");
if (rounds < 5) throw new Error("Au moins 5 manches (--rounds 5).");

interface Start {
  ms: number;
  mb: number;
}

function peakMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** A port free right now (other benches and tests share the machine). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startOnce(command: string[], env: NodeJS.ProcessEnv): Promise<Start> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(command[0] as string, command.slice(1), {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command.join(" ")} s'est arrêté (code ${child.exitCode})`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health/live`);
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const ms = performance.now() - started;
    return { ms, mb: peakMb(child.pid as number) };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

// tsx through --import: one process, so its own memory is the one measured.
const vigieCommand =
  entry === "tsx" ? [process.execPath, "--import", "tsx", "src/app/main.ts"] : [process.execPath, "--liftoff-only", "dist/main.js"]; // as `npm start` runs it
const bare = () => startOnce([process.execPath, "bench/startup/bare-fastify.mjs"], {});

async function vigiePair(): Promise<{ first: Start; restart: Start }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "vigie-startup-"));
  try {
    const env = { DATA_DIR: dataDir, DATABASE_URL: "", BACKUP_DIR: path.join(dataDir, "sauvegardes") };
    const first = await startOnce(vigieCommand, env);
    const restart = await startOnce(vigieCommand, env);
    return { first, restart };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (entry === "dist") execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });

type Round = { bare: [Start, Start]; first: Start; restart: Start };
const all: Round[] = [];
for (let r = 0; r <= rounds; r++) {
  const b1 = await bare();
  const { first, restart } = await vigiePair();
  const b2 = await bare();
  const f = (s: Start) => `${Math.round(s.ms)} ms ${Math.round(s.mb)} Mo`;
  log(
    `${r === 0 ? "chauffe" : `manche ${r}/${rounds}`} : Fastify nu ${f(b1)} / ${f(b2)} ; Vigie 1er démarrage ${f(first)}, redémarrage ${f(restart)}`,
  );
  if (r > 0) all.push({ bare: [b1, b2], first, restart });
}

const fr = (n: number) => n.toLocaleString("fr-FR", { maximumFractionDigits: 1 });
function row(label: string, pick: (r: Round) => Start, key: keyof Start, unit: string, goal: number) {
  const ratios = all.map((r) => pick(r)[key] / ((r.bare[0][key] + r.bare[1][key]) / 2));
  const vigie = median(all.map((r) => pick(r)[key]));
  const ceiling = median(all.flatMap((r) => r.bare.map((b) => b[key])));
  const verdict = goal === Number.POSITIVE_INFINITY ? "—" : vigie < goal ? "tenu" : "manqué";
  return `| ${label} | ${fr(ceiling)} ${unit} | ${fr(vigie)} ${unit} | × ${fr(median(ratios))} (${fr(Math.min(...ratios))} – ${fr(Math.max(...ratios))}) | ${goal === Number.POSITIVE_INFINITY ? "—" : `< ${fr(goal)} ${unit}`} | ${verdict} |`;
}

console.log(`Entrée : ${entry === "tsx" ? "tsx src/app/main.ts" : "node --liftoff-only dist/main.js"} ; ${rounds} manches ; ${machine()}`);
console.log("");
console.log("| mesure | Fastify nu (médiane) | Vigie (médiane) | rapport : médiane (min – max) | objectif | verdict |");
console.log("|---|---:|---:|---|---|---|");
console.log(row("1er démarrage, durée", (r) => r.first, "ms", "ms", 3000));
console.log(row("1er démarrage, mémoire résidente max", (r) => r.first, "mb", "Mo", Number.POSITIVE_INFINITY));
console.log(row("redémarrage, durée", (r) => r.restart, "ms", "ms", 2000));
console.log(row("redémarrage, mémoire résidente max", (r) => r.restart, "mb", "Mo", 300));
