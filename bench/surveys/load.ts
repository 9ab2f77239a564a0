/**
 * The load generator of the survey benchmark, in its own process so it does not share the server's
 * event loop: `--concurrency` keep-alive connections post the bodies of a JSON file, one per request,
 * for `--seconds`, and print `{ ok, failed, seconds }`. Each request has its own forwarded address,
 * as answers from many phones would (the server trusts the proxy header in the benchmark only).
 */
import { readFileSync } from "node:fs";
import http from "node:http";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]?.replace(/^--/, "") ?? "", process.argv[i + 1] ?? "");
const url = new URL(args.get("url") ?? "");
const bodies: Array<{ path: string; body: string }> = JSON.parse(readFileSync(args.get("bodies") ?? "", "utf8"));
const concurrency = Number(args.get("concurrency") ?? 16);
const seconds = Number(args.get("seconds") ?? 10);

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let next = 0;
let ok = 0;
let failed = 0;
const statuses = new Map<number, number>();
const deadline = Date.now() + seconds * 1000;

function post(item: { path: string; body: string }, n: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: item.path,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(item.body),
          "x-forwarded-for": `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode && res.statusCode < 300) ok++;
          else failed++;
          statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          resolve();
        });
      },
    );
    req.on("error", () => {
      failed++;
      resolve();
    });
    req.end(item.body);
  });
}

async function worker() {
  while (Date.now() < deadline && next < bodies.length) {
    const n = next++;
    const item = bodies[n];
    if (item) await post(item, n);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - started) / 1000;
agent.destroy();
process.stdout.write(`${JSON.stringify({ ok, failed, seconds: elapsed, statuses: Object.fromEntries(statuses) })}\n`);
