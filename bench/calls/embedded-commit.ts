/**
 * What a page waits while a call log is recorded on the embedded engine (issue #17, point 6).
 *
 *   npx tsx bench/calls/embedded-commit.ts [--rows 200000] [--rounds 5] [--slice 10000]
 *
 * PGlite has one connection: a query of a page waits for the transaction that holds it. Each round
 * reads the same generated Master.csv for a new site of one network (the reading is not measured: it
 * already goes in short transactions), then records it two ways, in an order that alternates between
 * rounds: in one transaction (how every recording went before, and still goes on PostgreSQL) and in
 * slices (`commitImport` on the embedded engine). Meanwhile a probe in its own process asks every 20 ms
 * for a page of this process that reads what the import's page reads (`getImport`), and notes how long
 * each request took.
 *
 * The ceiling is that same probe on an idle database, measured in the same round. Figures: the longest
 * wait during each recording, and the recording's duration sliced against whole (the price of the
 * slices), as the median of the per-round figures with their min and max, after a warm-up round.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import type { Actor } from "../../src/kernel/roles.ts";
import { SYSTEM_ACTOR } from "../../src/modules/audit/audit.service.ts";
import { claimImport, commitImport, createImport, EMBEDDED_SLICE, getImport, runImport } from "../../src/modules/calls/calls.service.ts";
import { syncFrameworks } from "../../src/modules/frameworks/frameworks.service.ts";
import { createOrganisation } from "../../src/modules/organisations/organisations.service.ts";
import { log, machine, median, percentile } from "../harness.ts";
import { generateCdr } from "./generate.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const rows = Number(flag("rows", "200000"));
const rounds = Number(flag("rounds", "5"));
const slice = Number(flag("slice", String(EMBEDDED_SLICE)));

const dir = await mkdtemp(path.join(tmpdir(), "vigie-bench-commit-"));
const file = path.join(dir, "Master.csv");
await generateCdr(file, rows);
const bytes = (await stat(file)).size;
const database = await openDatabase({ dataDir: path.join(dir, "data") });
const { db } = database;
const root: Actor = {
  accountId: "00000000-0000-0000-0000-000000000000",
  email: "bench",
  displayName: "bench",
  instanceAdmin: true,
  grants: [],
};
const place = {
  timeZone: "Europe/Paris",
  holidayZone: "metropole" as const,
  addressStreet: undefined,
  addressPostcode: undefined,
  addressCity: undefined,
  siret: undefined,
};

/**
 * A page of this process: answers with what the import's page reads (`getImport`). The probe, in its
 * own process, asks for it every 20 ms; PGlite runs in this process's thread, so a long statement
 * holds the page as surely as the queue for the connection does.
 */
let current = { orgId: "", importId: "" };
const server = createServer((_request, response) => {
  getImport(db, current.orgId, current.importId).then(
    (item) => response.end(item.status),
    () => response.writeHead(500).end(),
  );
});
server.listen(0, "127.0.0.1");
await once(server, "listening");
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

/**
 * The probe, one process for the whole run (started once: its start is not measured). `measure`
 * runs it around `work` and gives the duration of each request, in ms.
 */
const prober = fork(fileURLToPath(new URL("./page-probe.ts", import.meta.url)), [url], {
  execArgv: ["--import", "tsx"],
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
await once(prober, "message");
async function measure<T>(work: () => Promise<T>): Promise<{ result: T; waits: number[] }> {
  prober.send("start");
  await once(prober, "message");
  const result = await work();
  prober.send("stop");
  const [waits] = (await once(prober, "message")) as [number[]];
  return { result, waits };
}

try {
  await migrateToLatest(db);
  await syncFrameworks(db);
  const network = await createOrganisation(db, root, { name: "Réseau", kind: "network", parentId: undefined, ...place });
  let sites = 0;
  /** A new site with the file read and waiting for its decision. */
  const readForNewSite = async () => {
    const site = await createOrganisation(db, root, { name: `Site ${++sites}`, kind: "site", parentId: network.id, ...place });
    const importId = await createImport(db, SYSTEM_ACTOR, site.id, { fileName: "Master.csv", format: "asterisk", bytes });
    await claimImport(db, site.id, importId);
    const read = await runImport(db, SYSTEM_ACTOR, site.id, importId, file, { commitWhenClean: false });
    if (read.status !== "checked") throw new Error(`lecture : ${read.status}`);
    return { orgId: site.id, importId };
  };
  const record = async (way: "whole" | "sliced") => {
    const { orgId, importId } = await readForNewSite();
    current = { orgId, importId };
    const idle = await measure(() => new Promise((r) => setTimeout(r, 2_000)));
    const t = performance.now();
    const { result, waits } = await measure(() =>
      commitImport(db, SYSTEM_ACTOR, orgId, importId, { slice: way === "whole" ? null : slice }),
    );
    const seconds = (performance.now() - t) / 1000;
    const idleWaits = idle.waits;
    if (result.status !== "done" || result.rowsCreated !== rows)
      throw new Error(`enregistrement : ${result.status}, ${result.rowsCreated}`);
    return { seconds, idle: median(idleWaits), longest: Math.max(...waits), p95: percentile(waits, 95) };
  };

  log(`${rows} appels, tranches de ${slice} ; ${machine()}`);
  log("échauffement");
  await record("whole");
  await record("sliced");
  const results: Array<{ whole: Awaited<ReturnType<typeof record>>; sliced: Awaited<ReturnType<typeof record>> }> = [];
  for (let round = 1; round <= rounds; round++) {
    const first = round % 2 ? "whole" : "sliced";
    const a = await record(first);
    const b = await record(first === "whole" ? "sliced" : "whole");
    const whole = first === "whole" ? a : b;
    const sliced = first === "whole" ? b : a;
    results.push({ whole, sliced });
    log(
      `tour ${round} : en une fois ${whole.seconds.toFixed(1)} s (attente max ${whole.longest.toFixed(0)} ms), en tranches ${sliced.seconds.toFixed(1)} s (attente max ${sliced.longest.toFixed(0)} ms, p95 ${sliced.p95.toFixed(0)} ms) ; au repos ${sliced.idle.toFixed(1)} ms`,
    );
  }
  const fig = (values: number[], digits = 0) =>
    `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)} – ${Math.max(...values).toFixed(digits)})`;
  const idle = results.map((r) => r.sliced.idle);
  console.log(`| ${rows.toLocaleString("fr-FR")} appels, PGlite, ${rounds} tours | médiane (min – max) |
|---|---|
| Page au repos (plafond) : \`getImport\` | ${fig(idle, 1)} ms |
| Attente la plus longue d'une page, enregistrement en une transaction | ${fig(results.map((r) => r.whole.longest))} ms |
| Attente la plus longue d'une page, enregistrement par tranches de ${slice.toLocaleString("fr-FR")} | ${fig(results.map((r) => r.sliced.longest))} ms |
| … rapportée au plafond | ${fig(results.map((r) => r.sliced.longest / r.sliced.idle))} × |
| 95e centile des attentes, par tranches | ${fig(results.map((r) => r.sliced.p95))} ms |
| Durée de l'enregistrement, en une transaction | ${fig(
    results.map((r) => r.whole.seconds),
    1,
  )} s |
| Durée de l'enregistrement, par tranches | ${fig(
    results.map((r) => r.sliced.seconds),
    1,
  )} s |
| Prix des tranches (durée par tranches / en une fois) | ${fig(
    results.map((r) => r.sliced.seconds / r.whole.seconds),
    2,
  )} × |

(${machine()}, ${new Date().toISOString().slice(0, 16)} UTC)`);
} finally {
  prober.kill();
  server.close();
  await database.close();
  await rm(dir, { recursive: true, force: true });
}
