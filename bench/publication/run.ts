/**
 * Published results at national scale (issue #8): latency of the public results page, of a site's open
 * data JSON and of the network's open data CSV, for a network of `--sites` sites, against a ceiling
 * measured in the same run: a bare Fastify route that reads one row of `published_figures` by primary
 * key and sends it as JSON.
 *
 *   npx tsx bench/publication/run.ts --sites 5000                 (PGlite, in memory)
 *   npx tsx bench/publication/run.ts --sites 5000 --url postgres://postgres@127.0.0.1:5432/test
 *
 * The tree (1 network → 13 regions → sites) and the figures (12 indicators × 2 periods per node, as the
 * nightly job writes them) are inserted directly: the job's own speed is not what is measured here.
 * Every server listens on loopback and is called over real HTTP, `--concurrency` requests at a time.
 * A benchmark, not a test: it prints a Markdown table for docs/performance.md.
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { cpus } from "node:os";
import Fastify from "fastify";
import { sql } from "kysely";
import { buildServer } from "../../src/app/server.ts";
import { openDatabase, quoteIdent } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { loadConfig } from "../../src/kernel/config.ts";
import { syncFrameworks } from "../../src/modules/frameworks/frameworks.service.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const SITES = Number(flag("sites", "5000"));
const URL_ = flag("url", "");
const CALLS = Number(flag("calls", "400"));
const CONCURRENCY = Number(flag("concurrency", "8"));
const SCHEMA = "bench_publication";

const KEYS = [
  ["requests.answered_in_time", "share"],
  ["requests.complaints_in_time", "share"],
  ["requests.median_delay", "days"],
  ["requests.received", "count"],
  ["calls.answer_rate", "share"],
  ["surveys.online_8_or_more", "share"],
  ["surveys.satisfaction", "share"],
  ["surveys.net_satisfaction", "points"],
] as const;
const CHANNELS = ["", "letter", "email", "web", "counter"];

const log = (m: string) => process.stderr.write(`${m}\n`);

async function main() {
  if (URL_) {
    const admin = await openDatabase({ url: URL_ });
    await sql.raw(`drop schema if exists ${quoteIdent(SCHEMA)} cascade`).execute(admin.db);
    await admin.close();
  }
  const database = await openDatabase(URL_ ? { url: URL_, schema: SCHEMA } : {});
  const db = database.db;
  await migrateToLatest(db, URL_ ? SCHEMA : undefined);
  await syncFrameworks(db);

  let t = performance.now();
  const root = randomUUID();
  const regions = [...Array(13).keys()].map(() => randomUUID());
  const zones = { time_zone: "Europe/Paris", holiday_zone: "metropole" };
  const orgs: Array<{
    id: string;
    parent_id: string | null;
    path: string[];
    kind: string;
    name: string;
    time_zone: string;
    holiday_zone: string;
  }> = [
    { id: root, parent_id: null, path: [root], kind: "network", name: "Réseau national", ...zones },
    ...regions.map((id, i) => ({ id, parent_id: root, path: [root, id], kind: "region", name: `Région ${i + 1}`, ...zones })),
  ];
  for (let i = 0; i < SITES; i++) {
    const id = randomUUID();
    const region = regions[i % regions.length] ?? root;
    orgs.push({ id, parent_id: region, path: [root, region, id], kind: "site", name: `Site ${String(i + 1).padStart(5, "0")}`, ...zones });
  }
  for (let i = 0; i < orgs.length; i += 1000)
    await db
      .insertInto("organisations")
      .values(orgs.slice(i, i + 1000))
      .execute();
  const figures: Array<Record<string, unknown>> = [];
  const computedAt = new Date();
  for (const org of orgs) {
    for (const [from, to] of [
      ["2026-01-01", "2026-11-23"],
      ["2025-01-01", "2025-12-31"],
    ]) {
      for (const [key, unit] of KEYS) {
        for (const channel of key === "requests.answered_in_time" ? CHANNELS : [""]) {
          figures.push({
            org_id: org.id,
            period_from: from,
            period_to: to,
            indicator_key: key,
            channel,
            label: key,
            unit,
            better: key === "requests.median_delay" ? "lower" : "higher",
            value:
              unit === "share" ? Math.random() : unit === "points" ? Math.round(Math.random() * 100 - 20) : Math.round(Math.random() * 500),
            low: null,
            high: null,
            target: unit === "share" ? 1 : null,
            sample: Math.round(Math.random() * 2000),
            commitments: JSON.stringify(["sp+2021/5", "marianne-2008/10"]),
            computed_at: computedAt,
          });
        }
      }
    }
  }
  const pdb = db.withTables<{ published_figures: Record<string, unknown> }>();
  for (let i = 0; i < figures.length; i += 2000)
    await pdb
      .insertInto("published_figures")
      .values(figures.slice(i, i + 2000))
      .execute();
  if (URL_) await sql`analyze`.execute(db);
  log(`données : ${orgs.length} organisations, ${figures.length} lignes publiées en ${Math.round(performance.now() - t)} ms`);

  const app = await buildServer({ db, config: loadConfig({ DATA_DIR: "/nonexistent" }) });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const ceiling = Fastify();
  ceiling.get<{ Params: { orgId: string } }>("/figure/:orgId", async (request) =>
    pdb
      .selectFrom("published_figures")
      .selectAll()
      .where("org_id", "=", request.params.orgId)
      .where("period_from", "=", "2026-01-01")
      .where("indicator_key", "=", "requests.answered_in_time")
      .where("channel", "=", "")
      .executeTakeFirst(),
  );
  await ceiling.listen({ host: "127.0.0.1", port: 0 });
  const ceilingBase = `http://127.0.0.1:${(ceiling.server.address() as AddressInfo).port}`;

  const sites = orgs.filter((o) => o.kind === "site");
  const pick = () => sites[Math.floor(Math.random() * sites.length)]?.id ?? root;
  async function measure(label: string, url: () => string, calls = CALLS, concurrency = CONCURRENCY) {
    const times: number[] = [];
    let bytes = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      [...Array(Math.min(concurrency, calls)).keys()].map(async () => {
        while (next < calls) {
          next++;
          const s = performance.now();
          const r = await fetch(url(), { headers: { "accept-encoding": "br, gzip" } });
          const body = await r.arrayBuffer();
          if (r.status !== 200) throw new Error(`${label} : ${r.status}`);
          bytes = body.byteLength;
          times.push(performance.now() - s);
        }
      }),
    );
    const elapsed = performance.now() - started;
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
    return { label, p50: q(0.5), p95: q(0.95), perSecond: (calls / elapsed) * 1000, bytes };
  }
  t = performance.now();
  const results = [
    await measure("plafond : Fastify nu, 1 ligne par clé primaire (JSON)", () => `${ceilingBase}/figure/${pick()}`),
    await measure("page publique d'un site (HTML)", () => `${base}/public/organisations/${pick()}/results`),
    await measure("page publique du réseau (HTML, 13 régions)", () => `${base}/public/organisations/${root}/results`, 100),
    await measure("données ouvertes d'un site (JSON)", () => `${base}/api/v1/public/organisations/${pick()}/published-figures`),
    await measure("badge SVG d'un site", () => `${base}/public/organisations/${pick()}/badge.svg`),
    await measure(
      `données ouvertes du réseau (CSV, ${figures.length} lignes)`,
      () => `${base}/public/organisations/${root}/results.csv`,
      3,
      1,
    ),
    await measure(
      `données ouvertes du réseau (JSON, ${figures.length} lignes)`,
      () => `${base}/api/v1/public/organisations/${root}/published-figures`,
      3,
      1,
    ),
  ];
  log(`mesures en ${Math.round(performance.now() - t)} ms`);
  const ceilingP50 = results[0]?.p50 ?? 1;
  const engine = URL_ ? "PostgreSQL" : "PGlite";
  console.log(
    `| ${engine}, ${SITES} sites — appel | médiane (ms) | 95e centile (ms) | appels/s | taille (octets, décompressée) | médiane / plafond |`,
  );
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const r of results) {
    console.log(
      `| ${r.label} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.perSecond.toFixed(0)} | ${r.bytes} | ${(r.p50 / ceilingP50).toFixed(1)} |`,
    );
  }
  console.log(
    `\n${cpus().length} cœurs (${cpus()[0]?.model ?? "?"}), ${CONCURRENCY} appels simultanés (un seul pour les fichiers du réseau entier), Node ${process.version}.`,
  );
  await app.close();
  await ceiling.close();
  if (URL_) await sql.raw(`drop schema if exists ${quoteIdent(SCHEMA)} cascade`).execute(db);
  await database.close();
}

await main();
