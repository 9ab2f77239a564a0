// Measurement, not a test (run as root or as postgres: npx tsx bench/outage/freeze.mts): requests to /login while every
// process of a throw-away PostgreSQL is frozen (SIGSTOP) for 8 s, as a stalled disk or a paused VM would.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { buildServer } from "../../src/app/server.ts";
import { openMigratedDatabase } from "../../src/app/start.ts";
import { loadConfig } from "../../src/kernel/config.ts";
import { startPostgresInstance } from "../../test/support/postgres-instance.ts";

const pg = await startPostgresInstance();
const config = loadConfig({ DATABASE_URL: pg.url, DATA_DIR: "/nonexistent", COOKIE_SECURE: "false" });
const database = await openMigratedDatabase(config, "mesure");
const app = await buildServer({ db: database.db, config });
await app.listen({ host: "127.0.0.1", port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const pids = () => {
  const main = readFileSync(path.join(pg.dir, "data", "postmaster.pid"), "utf8").split("\n")[0] ?? "";
  const children = execFileSync("pgrep", ["-P", main]).toString().trim().split("\n");
  return [main, ...children];
};
const results: { start: number; ms: number; status: number }[] = [];
let stop = false;
const t0 = performance.now();
const loader = async () => {
  while (!stop) {
    const s = performance.now();
    const r = await fetch(`${base}/login`, { redirect: "manual" });
    await r.text();
    results.push({ start: s - t0, ms: performance.now() - s, status: r.status });
  }
};
const loads = Array.from({ length: 16 }, loader);
await new Promise((r) => setTimeout(r, 1000));
const frozen = pids();
execFileSync("kill", ["-STOP", ...frozen]);
const fs0 = performance.now() - t0;
await new Promise((r) => setTimeout(r, 8000));
execFileSync("kill", ["-CONT", ...frozen]);
const fs1 = performance.now() - t0;
await new Promise((r) => setTimeout(r, 1000));
stop = true;
await Promise.all(loads);
const during = results.filter((r) => r.start >= fs0 && r.start < fs1);
const by = (s: number) => during.filter((r) => r.status === s);
const stats = (rs: typeof during) =>
  rs.length
    ? `${rs.length} (min ${Math.min(...rs.map((r) => r.ms)).toFixed(0)} ms, max ${Math.max(...rs.map((r) => r.ms)).toFixed(0)} ms)`
    : "0";
console.log(JSON.stringify(during.filter((r) => r.status !== 503).map((r) => [r.status, Math.round(r.ms)])));
console.log(
  `gel ${((fs1 - fs0) / 1000).toFixed(1)} s, 16 clients : 200 → ${stats(by(200))} ; 503 → ${stats(by(503))} ; autres → ${during.filter((r) => r.status !== 200 && r.status !== 503).length}`,
);
await app.close();
await database.close();
await pg.destroy();
