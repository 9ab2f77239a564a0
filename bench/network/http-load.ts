/**
 * The HTTP load generator of the benchmarks, in its own process (started by `forkLoad` in bench/harness.ts):
 * it never shares the event loop of the server it measures. It receives one job, runs it, sends back one
 * result and exits.
 *
 * - `get`: `concurrency` keep-alive connections GET the paths (random order) for `seconds`, accepting br and
 *   gzip like a browser; the p50 latency and the rate.
 * - `survey`: each iteration GETs a form (a new browser: no cookie yet), reads its hidden fields and its
 *   cookie, and POSTs the answers back with them, expecting a redirection; pairs per second. Every pair has its
 *   own forwarded address, as answers from many phones would (the server trusts the proxy in the bench only).
 */
import http from "node:http";

export interface LoadJob {
  mode: "get" | "survey";
  base: string;
  paths: string[];
  concurrency: number;
  seconds: number;
  /** Each path once, in their order, then stop (`seconds` ignored): a warm-up that meets every site. */
  once?: boolean;
  /** survey: the answers, as form fields (arrays for several checked boxes). */
  answers?: Record<string, string | string[]>;
}

export interface LoadResult {
  ok: number;
  failed: number;
  seconds: number;
  p50: number;
  perSecond: number;
  statuses: Record<string, number>;
  firstFailure?: string;
}

function request(
  agent: http.Agent,
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string | number>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: base.hostname, port: base.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const hidden = (html: string) => {
  const fields: Array<[string, string]> = [];
  for (const m of html.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1] ?? "";
    if (name)
      fields.push([
        name,
        value
          .replace(/&amp;/g, "&")
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">"),
      ]);
  }
  return fields;
};

async function run(job: LoadJob): Promise<LoadResult> {
  const base = new URL(job.base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  let n = 0;
  const deadline = performance.now() + job.seconds * 1000;
  const fail = (what: string) => {
    failed++;
    firstFailure ??= what.slice(0, 500);
  };
  const one = async () => {
    const i = n++;
    const path = (job.once ? job.paths[i] : job.paths[Math.floor(Math.random() * job.paths.length)]) ?? "/";
    const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const start = performance.now();
    if (job.mode === "get") {
      const res = await request(agent, base, "GET", path, { "accept-encoding": "br, gzip" });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 200) ok++;
      else fail(`${res.status} ${path}`);
    } else {
      const form = await request(agent, base, "GET", path, { "x-forwarded-for": address });
      if (form.status !== 200) return fail(`GET ${form.status} ${form.text}`);
      const cookie = ([] as string[])
        .concat(form.headers["set-cookie"] ?? [])
        .map((c) => c.split(";")[0])
        .join("; ");
      const params = new URLSearchParams(hidden(form.text));
      for (const [k, v] of Object.entries(job.answers ?? {})) for (const one of ([] as string[]).concat(v)) params.append(k, one);
      const action = /<form\b[^>]*action="([^"]*)"/.exec(form.text)?.[1] ?? path;
      const body = params.toString();
      const res = await request(
        agent,
        base,
        "POST",
        action,
        {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
          cookie,
          "x-forwarded-for": address,
        },
        body,
      );
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 303) ok++;
      else fail(`POST ${res.status} ${res.text}`);
    }
    times.push(performance.now() - start);
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (job.once ? n < job.paths.length : performance.now() < deadline) await one().catch((e: Error) => fail(e.message));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  times.sort((a, b) => a - b);
  const p50 = times[Math.max(0, Math.ceil(times.length / 2) - 1)] ?? Number.NaN;
  return { ok, failed, seconds, p50, perSecond: ok / seconds, statuses, ...(firstFailure ? { firstFailure } : {}) };
}

process.once("message", async (job: LoadJob) => {
  const result = await run(job);
  process.send?.(result, () => process.exit(0));
});
