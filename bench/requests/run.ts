/**
 * The national-scale benchmark of issue #4: import rate and indicator latency, each against a ceiling measured
 * in the same run.
 *
 *   npx tsx bench/requests/run.ts --engine postgres --sites 5000 --requests 20000000
 *   npx tsx bench/requests/run.ts --engine pglite --sites 500 --requests 1000000
 *
 * Steps (each timed):
 * 1. a fresh schema (PostgreSQL: `--schema`, dropped first and at the end unless --keep; PGlite: in memory),
 *    migrations, reference data, the Marianne 2008 framework adopted by the network;
 * 2. the tree (generate.ts) created through the organisations service, one `createOrganisation` per node;
 * 3. the requests (generate.ts) written as COPY text files of `--part-rows` rows, with the organisation ids;
 * 4. ceiling: the same files COPY'd into a bare copy of `requests` (no index, no constraint but NOT NULL);
 * 5. bulk import: the same files COPY'd into `requests` with all its indexes, then `request_counters`, then the
 *    rollup — one aggregate per organisation of the requests (working days counted with a table of the
 *    application's calendar), then one aggregate INSERT … SELECT per level of the tree, bottom-up — then
 *    VACUUM ANALYZE; the rollup is then checked against the requests;
 * 6. per-row path: `registerRequest` for `--sample` requests;
 * 7. latency of `requestIndicators` (12 months) for random sites, departments, regions and the network, of its
 *    parts, of the backlog query, against a ceiling: one primary-key SELECT on the rollup.
 *
 * A benchmark, not a test: it prints a Markdown snippet for docs/performance.md (and progress on stderr).
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, openAsBlob } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, sql } from "kysely";
import pg from "pg";
import { assembleModules } from "../../src/app/modules.ts";
import { openDatabase, PGLITE_EXTENSIONS, quoteIdent } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { PGliteDialect } from "../../src/db/pglite-dialect.ts";
import type { DB } from "../../src/db/schema.ts";
import type { Actor } from "../../src/kernel/roles.ts";
import { localDay } from "../../src/kernel/time.ts";
import { createCalendar, type HolidayZone } from "../../src/modules/calendar/calendar.ts";
import { CHANNELS, REQUEST_KINDS } from "../../src/modules/frameworks/channels.ts";
import { adoptFramework, frameworkReplyDelays, syncFrameworks } from "../../src/modules/frameworks/frameworks.service.ts";
import { createOrganisation, subtree, subtreeIds as subtreeIdsOf } from "../../src/modules/organisations/organisations.service.ts";
import { histogramBucket, responseDays } from "../../src/modules/requests/due-date.ts";
import { requestIndicators } from "../../src/modules/requests/indicators.ts";
import * as repo from "../../src/modules/requests/requests.repository.ts";
import { registerRequest } from "../../src/modules/requests/requests.service.ts";
import { copyFile } from "./copy.ts";
import { AS_OF, announcedDelay, DEFAULT_OPTIONS, generateRequests, generateTree, PERIOD_FROM, parseFlags, rng } from "./generate.ts";

// The modules' contributions (indicator sources, digest sections…), as the server has them.
assembleModules();

const flags = parseFlags({
  engine: "postgres",
  url: "postgres://postgres@127.0.0.1:5432/test",
  schema: "bench_requests",
  sites: DEFAULT_OPTIONS.sites,
  requests: 1_000_000,
  seed: DEFAULT_OPTIONS.seed,
  sample: 2_000,
  calls: 200,
  "part-rows": 1_000_000,
  /** Rows copied for the ceiling (0: all of them). */
  "ceiling-rows": 0,
  "work-mem": "256MB",
  keep: false,
});
if (flags.engine !== "postgres" && flags.engine !== "pglite") throw new Error("--engine postgres ou pglite");

const log = (message: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const seconds = (start: number) => (performance.now() - start) / 1000;

// ── Engines ─────────────────────────────────────────────────────────────────────────────────────────────────

interface Bench {
  db: Kysely<DB>;
  /** Runs SQL on the import session (PostgreSQL: one dedicated connection with `work_mem` raised). */
  exec(text: string): Promise<void>;
  rows<T>(text: string): Promise<T[]>;
  copy(target: string, file: string): Promise<number>;
  close(): Promise<void>;
}

async function openPostgres(): Promise<Bench> {
  const schema = quoteIdent(flags.schema);
  const admin = new pg.Client({ connectionString: flags.url });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
  const database = await openDatabase({ url: flags.url, schema: flags.schema });
  const client = new pg.Client({ connectionString: flags.url, options: `-c search_path=${schema}` });
  await client.connect();
  await client.query(`set work_mem = '${flags["work-mem"]}'`);
  await client.query("set maintenance_work_mem = '1GB'");
  return {
    db: database.db,
    exec: async (text) => {
      await client.query(text);
    },
    rows: async <T>(text: string) => (await client.query(text)).rows as T[],
    copy: (target, file) => copyFile(client, target, file),
    close: async () => {
      await client.end();
      await database.close();
      if (!flags.keep) {
        const cleanup = new pg.Client({ connectionString: flags.url });
        await cleanup.connect();
        await cleanup.query(`drop schema if exists ${schema} cascade`);
        await cleanup.end();
      }
    },
  };
}

async function openPglite(): Promise<Bench> {
  // The parsers of src/db/database.ts: bigint and numeric as text, dates as ISO text.
  const asText = (value: string) => value;
  const pglite = await PGlite.create({ parsers: { 20: asText, 1700: asText, 1082: asText }, extensions: PGLITE_EXTENSIONS });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    exec: async (text) => {
      await pglite.exec(text);
    },
    rows: async <T>(text: string) => (await pglite.query<T>(text)).rows,
    copy: async (target, file) => {
      const result = await pglite.query(`copy ${target} from '/dev/blob'`, [], { blob: await openAsBlob(file) });
      return result.affectedRows ?? 0;
    },
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

// ── Helpers ─────────────────────────────────────────────────────────────────────────────────────────────────

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

interface Latency {
  p50: number;
  p95: number;
  max: number;
  calls: number;
}

async function time(calls: number, warmup: number, run: (i: number) => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < warmup; i++) await run(i);
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await run(i);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), max: samples[samples.length - 1] ?? 0, calls };
}

const ms = (value: number) => (value >= 100 ? `${value.toFixed(0)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`);
const rate = (rows: number, secs: number) => `${Math.round(rows / secs).toLocaleString("fr-FR")} lignes/s`;
const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(a / b < 0.1 ? 1 : 0)} %`;
const int = (n: number) => n.toLocaleString("fr-FR");

const COLUMNS =
  "org_id, number, kind, channel, status, source, subject, requester_name, requester_email, received_on, target_value, target_unit, commitment_id, due_on, answered_on, closed_on, tracking_token_hash";

/** `array[sum(h[1]), …, sum(h[61])]`, or the 61 filtered counts of a bucket expression. */
const sumHistogram = (column: string) => `array[${Array.from({ length: 61 }, (_, i) => `sum(${column}[${i + 1}])`).join(", ")}]::int[]`;
const countHistogram = (bucket: string) =>
  `array[${Array.from({ length: 61 }, (_, i) => `count(*) filter (where ${bucket} = ${i})`).join(", ")}]::int[]`;

// ── Run ─────────────────────────────────────────────────────────────────────────────────────────────────────

const runStart = performance.now();
log(`moteur ${flags.engine}, ${flags.sites} sites, ${flags.requests} demandes`);
const bench = flags.engine === "postgres" ? await openPostgres() : await openPglite();
const { db } = bench;
const workDir = await mkdtemp(path.join(tmpdir(), "vigie-bench-"));

try {
  // 1. Schema and reference data.
  let start = performance.now();
  await migrateToLatest(db);
  await syncFrameworks(db);
  const setupSeconds = seconds(start);
  const engineVersion = (await bench.rows<{ version: string }>("select version()"))[0]?.version ?? "";
  const actor: Actor = {
    accountId: randomUUID(),
    email: "banc@vigie.invalid",
    displayName: "Banc d'essai",
    instanceAdmin: true,
    grants: [],
  };

  // 2. The tree, through the service.
  const tree = generateTree(flags);
  const ids = new Map<string, string>();
  start = performance.now();
  for (const o of tree.orgs) {
    const created = await createOrganisation(db, actor, {
      name: o.name,
      kind: o.kind,
      parentId: o.parentKey ? ids.get(o.parentKey) : undefined,
      addressStreet: undefined,
      addressPostcode: o.postcode ?? undefined,
      addressCity: undefined,
      siret: undefined,
      timeZone: "Europe/Paris",
      holidayZone: o.holidayZone,
    });
    ids.set(o.key, created.id);
  }
  const treeSeconds = seconds(start);
  log(`arbre : ${tree.orgs.length} organisations en ${treeSeconds.toFixed(1)} s`);
  const networkId = ids.get("N") ?? "";
  const siteIds = tree.sites.map((s) => ids.get(s.key) ?? "");
  await adoptFramework(db, actor, networkId, "marianne-2008");

  // The generator's delays must be the ones the application computes.
  const commitmentOf = new Map<string, string>();
  const framework = await frameworkReplyDelays(db, siteIds[0] ?? "");
  for (const channel of CHANNELS) {
    for (const kind of REQUEST_KINDS) {
      const announced = framework.get(`${channel}|${kind}`);
      const expected = announcedDelay(channel, kind);
      const value = announced && announced.unit === "working_days" ? announced.value : null;
      if (value !== expected) throw new Error(`Délai ${channel}/${kind} : ${value} dans l'application, ${expected} dans le générateur`);
      if (announced) commitmentOf.set(`${channel}/${kind}`, announced.commitmentId);
    }
  }

  // 3. The request files.
  start = performance.now();
  const parts: string[] = [];
  const lastNumber = new Int32Array(tree.sites.length * 4);
  const expected = { received: 0, answered: 0, inTime: 0 };
  let out: ReturnType<typeof createWriteStream> | undefined;
  let buffer: string[] = [];
  const flush = async () => {
    if (!out || !buffer.length) return;
    const ok = out.write(`${buffer.join("\n")}\n`);
    buffer = [];
    if (!ok && out) await once(out, "drain");
  };
  const closePart = async () => {
    await flush();
    const stream = out;
    if (stream) await new Promise<void>((resolve) => stream.end(() => resolve()));
    out = undefined;
  };
  const N = "\\N";
  for (const r of generateRequests(tree, flags)) {
    if (expected.received % flags["part-rows"] === 0) {
      await closePart();
      const file = path.join(workDir, `requests-${String(parts.length).padStart(4, "0")}.tsv`);
      parts.push(file);
      out = createWriteStream(file);
    }
    expected.received++;
    if (r.answeredOn) expected.answered++;
    if (r.answeredOn && r.dueOn && r.answeredOn <= r.dueOn) expected.inTime++;
    const seq = Number(r.number.slice(5));
    const k = r.site * 4 + (Number(r.number.slice(0, 4)) - 2023);
    if (seq > (lastNumber[k] ?? 0)) lastNumber[k] = seq;
    buffer.push(
      `${siteIds[r.site]}\t${r.number}\t${r.kind}\t${r.channel}\t${r.status}\timport\t${r.subject}\t${r.requesterName ?? N}\t${r.requesterEmail ?? N}\t${r.receivedOn}\t${
        r.delay === null ? `${N}\t${N}\t${N}` : `${r.delay}\tworking_days\t${commitmentOf.get(`${r.channel}/${r.kind}`) ?? N}`
      }\t${r.dueOn ?? N}\t${r.answeredOn ?? N}\t${r.closedOn ?? N}\t${r.trackingHash}`,
    );
    if (buffer.length === 10_000) await flush();
  }
  await closePart();
  const generateSeconds = seconds(start);
  log(`génération : ${expected.received} lignes en ${generateSeconds.toFixed(1)} s (${parts.length} fichiers)`);

  // 4. Ceiling: the same rows into a bare table.
  await bench.exec("create table bench_bare (like requests including defaults)");
  const ceilingParts = flags["ceiling-rows"] > 0 ? parts.slice(0, Math.ceil(flags["ceiling-rows"] / flags["part-rows"])) : parts;
  start = performance.now();
  let ceilingRows = 0;
  for (const file of ceilingParts) ceilingRows += await bench.copy(`bench_bare (${COLUMNS})`, file);
  const ceilingSeconds = seconds(start);
  log(`plafond : ${ceilingRows} lignes en ${ceilingSeconds.toFixed(1)} s (${rate(ceilingRows, ceilingSeconds)})`);
  await bench.exec("drop table bench_bare");

  // 5. Bulk import.
  const importStart = performance.now();
  let copied = 0;
  const perPart: number[] = [];
  for (const file of parts) {
    const partStart = performance.now();
    const rows = await bench.copy(`requests (${COLUMNS})`, file);
    copied += rows;
    perPart.push(seconds(partStart));
    log(`copy requests : ${copied} lignes, ${rate(rows, seconds(partStart))} pour ce fichier`);
  }
  const copySeconds = seconds(importStart);
  // Numbers continue after the imported ones.
  start = performance.now();
  const counterRows: string[] = [];
  lastNumber.forEach((last, k) => {
    if (last > 0) counterRows.push(`('${siteIds[Math.floor(k / 4)]}', ${2023 + (k % 4)}, ${last})`);
  });
  for (let i = 0; i < counterRows.length; i += 5_000) {
    await bench.exec(`insert into request_counters (org_id, year, last) values ${counterRows.slice(i, i + 5_000).join(", ")}`);
  }
  const countersSeconds = seconds(start);
  // The rollup: working days as the application counts them, then each organisation's own requests, then levels.
  start = performance.now();
  await bench.exec("create table bench_working_days (zone text, day date, rank integer, primary key (zone, day))");
  const zones = [...new Set(tree.siteZone)] as HolidayZone[];
  for (const zone of zones) {
    const calendar = createCalendar({ zone, count: "ouvres" });
    const values: string[] = [];
    for (let d = new Date(`${PERIOD_FROM}T00:00:00Z`); d <= new Date(`${AS_OF}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
      const iso = d.toISOString().slice(0, 10);
      values.push(`('${zone}', '${iso}', ${calendar.countWorkingDays("2000-01-01", iso)})`);
    }
    await bench.exec(`insert into bench_working_days values ${values.join(", ")}`);
  }
  // GREATEST ignores nulls: unanswered requests must stay out of the histogram.
  const bucket = "(case when wa.rank is not null then least(60, greatest(0, wa.rank - wr.rank)) end)";
  await bench.exec(`create unlogged table bench_stage as
    select r.org_id, r.received_on - (extract(day from r.received_on)::int - 1) as month, r.channel, r.kind,
      count(*)::int as received, count(r.answered_on)::int as answered,
      count(r.answered_on) filter (where r.due_on is not null)::int as answered_with_target,
      count(*) filter (where r.answered_on <= r.due_on)::int as answered_in_time,
      ${countHistogram(bucket)} as delay_histogram
    from requests r
    join organisations o on o.id = r.org_id
    join bench_working_days wr on wr.zone = o.holiday_zone and wr.day = r.received_on
    left join bench_working_days wa on wa.zone = o.holiday_zone and wa.day = r.answered_on
    group by 1, 2, 3, 4`);
  const stageSeconds = seconds(start);
  const depth = (await bench.rows<{ d: number }>("select max(cardinality(path))::int as d from organisations"))[0]?.d ?? 0;
  const levelSeconds: number[] = [];
  for (let d = depth; d >= 1; d--) {
    const levelStart = performance.now();
    await bench.exec(`insert into request_rollup (org_id, month, channel, kind, received, answered, answered_with_target, answered_in_time, delay_histogram)
      select x.org_id, x.month, x.channel, x.kind, sum(x.received)::int, sum(x.answered)::int, sum(x.answered_with_target)::int, sum(x.answered_in_time)::int,
        ${sumHistogram("x.h")}
      from (
        select s.org_id, s.month, s.channel, s.kind, s.received, s.answered, s.answered_with_target, s.answered_in_time, s.delay_histogram as h
        from bench_stage s join organisations o on o.id = s.org_id where cardinality(o.path) = ${d}
        union all
        select o.parent_id, r.month, r.channel, r.kind, r.received, r.answered, r.answered_with_target, r.answered_in_time, r.delay_histogram
        from request_rollup r join organisations o on o.id = r.org_id where cardinality(o.path) = ${d + 1}
      ) x
      group by 1, 2, 3, 4`);
    levelSeconds.push(seconds(levelStart));
  }
  await bench.exec("drop table bench_stage");
  const rollupSeconds = seconds(start);
  log(
    `rollup : ${rollupSeconds.toFixed(1)} s (par organisation ${stageSeconds.toFixed(1)} s, niveaux ${levelSeconds.map((s) => s.toFixed(1)).join(" / ")} s)`,
  );
  start = performance.now();
  await bench.exec("vacuum (analyze) requests");
  await bench.exec("vacuum (analyze) request_rollup");
  await bench.exec("analyze request_counters");
  const vacuumSeconds = seconds(start);
  const importSeconds = seconds(importStart);
  log(`import complet : ${importSeconds.toFixed(1)} s`);

  // Checks: the rollup equals the requests, at every level, and the SQL buckets equal the application's.
  start = performance.now();
  const totals = (
    await bench.rows<{ n: string; answered: string; in_time: string }>(
      "select count(*)::text as n, count(answered_on)::text as answered, count(*) filter (where answered_on <= due_on)::text as in_time from requests",
    )
  )[0];
  if (
    Number(totals?.n) !== expected.received ||
    Number(totals?.answered) !== expected.answered ||
    Number(totals?.in_time) !== expected.inTime
  ) {
    throw new Error(`Demandes importées ${JSON.stringify(totals)}, attendues ${JSON.stringify(expected)}`);
  }
  const levels = await bench.rows<{ d: number; received: string; answered: string; in_time: string; hist: string }>(
    `select cardinality(o.path) as d, sum(received)::text as received, sum(answered)::text as answered,
       sum(answered_in_time)::text as in_time, sum((select sum(v) from unnest(delay_histogram) v))::text as hist
     from request_rollup r join organisations o on o.id = r.org_id group by 1 order by 1`,
  );
  for (const l of levels) {
    if (
      Number(l.received) !== expected.received ||
      Number(l.answered) !== expected.answered ||
      Number(l.in_time) !== expected.inTime ||
      Number(l.hist) !== expected.answered
    ) {
      throw new Error(`Rollup du niveau ${l.d} incorrect : ${JSON.stringify(l)}, attendu ${JSON.stringify(expected)}`);
    }
  }
  const mismatches = (
    await bench.rows<{ n: number }>(`select count(*)::int as n from (
      (select r.org_id, r.month, r.channel, r.kind, r.received, r.answered, r.answered_in_time
         from request_rollup r join organisations o on o.id = r.org_id where o.kind = 'site'
       except all
       select org_id, received_on - (extract(day from received_on)::int - 1), channel, kind, count(*)::int, count(answered_on)::int,
         (count(*) filter (where answered_on <= due_on))::int
       from requests group by 1, 2, 3, 4)
    ) x`)
  )[0]?.n;
  if (mismatches !== 0) throw new Error(`${mismatches} lignes du rollup des sites diffèrent des demandes`);
  const answeredSample = await bench.rows<{ received_on: string; answered_on: string; zone: HolidayZone; bucket: number }>(
    `select r.received_on::text, r.answered_on::text, o.holiday_zone as zone, ${bucket} as bucket
     from requests r join organisations o on o.id = r.org_id
     join bench_working_days wr on wr.zone = o.holiday_zone and wr.day = r.received_on
     join bench_working_days wa on wa.zone = o.holiday_zone and wa.day = r.answered_on
     where r.answered_on is not null and o.holiday_zone = any(array['alsace-moselle', 'metropole'])
     order by r.tracking_token_hash limit 2000`,
  );
  for (const s of answeredSample) {
    const app = histogramBucket(responseDays(s.received_on, s.answered_on, createCalendar({ zone: s.zone, count: "ouvres" })));
    if (app !== s.bucket) throw new Error(`Tranche SQL ${s.bucket}, application ${app} pour ${JSON.stringify(s)}`);
  }
  const checkSeconds = seconds(start);
  log(`vérifications : ${checkSeconds.toFixed(1)} s`);

  // Sizes.
  const sizes = (
    await bench.rows<{ requests: string; rollup: string; rollup_rows: string }>(
      `select pg_size_pretty(pg_total_relation_size('requests')) as requests, pg_size_pretty(pg_total_relation_size('request_rollup')) as rollup,
        (select count(*) from request_rollup)::text as rollup_rows`,
    )
  )[0];

  // 6. Per-row path: registerRequest.
  const sampleTree = generateRequests(tree, { requests: flags.sample, seed: flags.seed + 1 });
  const sample = [...sampleTree];
  start = performance.now();
  for (const r of sample) {
    await registerRequest(
      db,
      siteIds[r.site] ?? "",
      {
        kind: r.kind,
        channel: r.channel,
        receivedOn: r.receivedOn,
        subject: r.subject,
        body: undefined,
        requesterName: r.requesterName ?? undefined,
        requesterEmail: r.requesterEmail ?? undefined,
        requesterPhone: undefined,
        requesterAddress: undefined,
        serviceId: undefined,
      },
      { source: "import", author: { accountId: null, label: "banc d'essai" } },
    );
  }
  const serviceSeconds = seconds(start);
  log(`registerRequest : ${sample.length} demandes en ${serviceSeconds.toFixed(1)} s`);
  const after = (
    await bench.rows<{ n: string; rolled: string }>(
      `select (select count(*) from requests)::text as n, (select sum(received) from request_rollup where org_id = '${networkId}')::text as rolled`,
    )
  )[0];
  if (Number(after?.n) !== expected.received + sample.length || after?.rolled !== after?.n) {
    throw new Error(`Après registerRequest : ${JSON.stringify(after)}`);
  }

  // 7. Latency.
  const random = rng(flags.seed + 2);
  const pickFrom = <T>(list: T[]) => list[Math.floor(random() * list.length)] as T;
  const kindIds = (kind: string) => tree.orgs.filter((o) => o.kind === kind).map((o) => ids.get(o.key) ?? "");
  const classes: Array<{ label: string; ids: string[] }> = [
    { label: "site", ids: siteIds },
    { label: "département", ids: kindIds("department") },
    { label: "région", ids: kindIds("region") },
    { label: "réseau (tout le pays)", ids: [networkId] },
  ];
  const from = "2025-01-01";
  const to = "2025-12-31";
  const today = localDay("Europe/Paris");
  const latencies: Array<{
    label: string;
    subtreeSize: number;
    indicators: Latency;
    rollupRows: Latency;
    subtree: Latency;
    backlog: Latency;
    backlogByPath: Latency;
    open: number;
  }> = [];
  for (const c of classes) {
    const chosen = Array.from({ length: flags.calls }, () => pickFrom(c.ids));
    const subtreeIds = new Map<string, string[]>();
    for (const id of new Set(chosen))
      subtreeIds.set(
        id,
        (await subtree(db, id)).map((o) => o.id),
      );
    const indicators = await time(flags.calls, 5, (i) => requestIndicators(db, chosen[i % chosen.length] ?? "", from, to));
    const rollupRows = await time(flags.calls, 5, (i) => repo.rollupRows(db, chosen[i % chosen.length] ?? "", "2025-01-01", "2025-12-01"));
    const subtreeLatency = await time(flags.calls, 5, (i) => subtree(db, chosen[i % chosen.length] ?? ""));
    const backlog = await time(flags.calls, 5, (i) => repo.backlog(db, subtreeIdsOf(db, chosen[i % chosen.length] ?? ""), today));
    // The same count, the subtree taken inside the query (path && array[root]) instead of a list of ids.
    const backlogByPath = await time(flags.calls, 5, (i) =>
      sql`select count(*)::int as open, count(*) filter (where due_on < ${today})::int as overdue from requests
        where org_id in (select id from organisations where path && array[${chosen[i % chosen.length] ?? ""}::uuid])
        and status not in ('answered', 'closed')`.execute(db),
    );
    const open = (await repo.backlog(db, subtreeIdsOf(db, chosen[0] ?? ""), today)).open;
    const subtreeSize = subtreeIds.get(chosen[0] ?? "")?.length ?? 0;
    latencies.push({ label: c.label, subtreeSize, indicators, rollupRows, subtree: subtreeLatency, backlog, backlogByPath, open });
    log(`latence ${c.label} : indicateurs p50 ${ms(indicators.p50)} p95 ${ms(indicators.p95)}, file ouverte p50 ${ms(backlog.p50)}`);
  }
  // Ceiling: one primary-key read of the rollup.
  const keys = await db
    .selectFrom("request_rollup")
    .select(["org_id", "month", "channel", "kind"])
    .where("month", ">=", from)
    .orderBy(sql`md5(org_id::text || month::text || channel || kind)`)
    .limit(flags.calls)
    .execute();
  const ceiling = await time(flags.calls, 5, (i) => {
    const k = keys[i % keys.length];
    return db
      .selectFrom("request_rollup")
      .select("received")
      .where("org_id", "=", k?.org_id ?? "")
      .where("month", "=", k?.month ?? "")
      .where("channel", "=", k?.channel ?? "")
      .where("kind", "=", k?.kind ?? "")
      .executeTakeFirst();
  });
  const plans = (
    await bench.rows<{ "QUERY PLAN": string }>(
      `explain (analyze, buffers, timing off) select count(*) from requests where org_id in (select id from organisations where path && array['${networkId}']::uuid[]) and status not in ('answered', 'closed')`,
    )
  )
    .map((r) => r["QUERY PLAN"])
    .join("\n");
  log(plans);

  // Report.
  const total = expected.received;
  const machine = `${availableParallelism()} cœurs (nproc), ${cpus()[0]?.model.trim() ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} Gio, Node ${process.version}`;
  const command = `npx tsx bench/requests/run.ts --engine ${flags.engine} --sites ${flags.sites} --requests ${flags.requests} --sample ${flags.sample} --calls ${flags.calls}${
    flags["ceiling-rows"] ? ` --ceiling-rows ${flags["ceiling-rows"]}` : ""
  }${flags["part-rows"] !== 1_000_000 ? ` --part-rows ${flags["part-rows"]}` : ""}`;
  const bulkRate = total / importSeconds;
  const ceilingRate = ceilingRows / ceilingSeconds;
  const lines = [
    `### ${flags.engine === "postgres" ? "PostgreSQL" : "PGlite (en mémoire)"} — ${int(tree.sites.length)} sites, ${int(total)} demandes`,
    "",
    `Commande : \`${command}\` — ${machine} ; moteur : ${engineVersion.split(" on ")[0]} ; le ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC ; durée totale ${(seconds(runStart) / 60).toFixed(1)} min.`,
    "",
    `Arbre : ${int(tree.orgs.length)} organisations créées par \`createOrganisation\` en ${treeSeconds.toFixed(1)} s (${(tree.orgs.length / treeSeconds).toFixed(0)} organisations/s). Génération des ${int(total)} lignes (fichiers COPY) : ${generateSeconds.toFixed(1)} s (${rate(total, generateSeconds)}). Migrations et référentiels : ${setupSeconds.toFixed(1)} s. Taille : \`requests\` ${sizes?.requests}, \`request_rollup\` ${sizes?.rollup} (${int(Number(sizes?.rollup_rows))} lignes).`,
    "",
    "| import | durée | débit | rapport au plafond |",
    "| --- | --- | --- | --- |",
    `| plafond : COPY des mêmes lignes dans une table nue (${int(ceilingRows)} lignes) | ${ceilingSeconds.toFixed(1)} s | ${rate(ceilingRows, ceilingSeconds)} | 100 % |`,
    `| COPY dans \`requests\` (5 index) | ${copySeconds.toFixed(1)} s | ${rate(total, copySeconds)} | ${pct(total / copySeconds, ceilingRate)} |`,
    `| + compteurs de numéros | ${countersSeconds.toFixed(1)} s | | |`,
    `| + rollup (agrégat par organisation ${stageSeconds.toFixed(1)} s, puis niveaux ${levelSeconds.map((s) => `${s.toFixed(1)} s`).join(" / ")}) | ${rollupSeconds.toFixed(1)} s | | |`,
    `| + VACUUM ANALYZE | ${vacuumSeconds.toFixed(1)} s | | |`,
    `| **import en masse complet** (rollup juste) | **${importSeconds.toFixed(1)} s** | **${rate(total, importSeconds)}** | **${pct(bulkRate, ceilingRate)}** |`,
    `| une par une : \`registerRequest\` (${int(sample.length)} demandes, après l'import) | ${serviceSeconds.toFixed(1)} s | ${rate(sample.length, serviceSeconds)} | ${pct(sample.length / serviceSeconds, ceilingRate)} |`,
    "",
    `Vérifications après import (${checkSeconds.toFixed(1)} s, hors mesure) : totaux reçus / répondus / dans les délais / histogramme identiques aux demandes à chaque niveau ; rollup des sites identique, ligne à ligne, à un GROUP BY des demandes ; tranches de délai SQL identiques à \`histogramBucket(responseDays(…))\` sur 2 000 demandes.`,
    "",
    `Latence sur ${flags.calls} appels par ligne (période de 12 mois ${from} → ${to}, organisation tirée au hasard dans la classe) ; plafond : un SELECT par clé primaire sur \`request_rollup\`, p50 ${ms(ceiling.p50)}, p95 ${ms(ceiling.p95)}.`,
    "",
    "| organisation | taille du sous-arbre | `requestIndicators` p50 / p95 | rapport p50 plafond / mesure | dont `rollupRows` p50 | dont `subtree` p50 | dont file ouverte (`backlog`) p50 / p95 | file ouverte, sous-arbre dans la requête p50 / p95 | demandes ouvertes |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...latencies.map(
      (l) =>
        `| ${l.label} | ${int(l.subtreeSize)} | ${ms(l.indicators.p50)} / ${ms(l.indicators.p95)} | ${pct(ceiling.p50, l.indicators.p50)} | ${ms(l.rollupRows.p50)} | ${ms(l.subtree.p50)} | ${ms(l.backlog.p50)} / ${ms(l.backlog.p95)} | ${ms(l.backlogByPath.p50)} / ${ms(l.backlogByPath.p95)} | ${int(l.open)} |`,
    ),
  ];
  console.log(lines.join("\n"));
  console.error(JSON.stringify({ flags, perPart, latencies, ceiling, plans }));
} finally {
  await rm(workDir, { recursive: true, force: true });
  await bench.close();
}
