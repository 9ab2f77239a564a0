/**
 * Import rate of a call log on PostgreSQL (issue #6), against a ceiling measured in the same run:
 * `psql -c "\copy … from FILE csv"` of the same file into a bare table of the CDR columns (typed, no
 * index, no constraint).
 *
 *   npx tsx bench/calls/run.ts --rows 5000000 [--url postgres://postgres@127.0.0.1:5432/test] [--keep]
 *
 * The import goes through the application's path, as `npm run import:calls` does (commit when the
 * file is clean): streamed reading (Vigie's CSV reader, the checks of every line, the natural key),
 * binary `COPY … FROM STDIN` straight into `calls` in one transaction, rollups counted on the way and
 * added for the site and
 * its two ancestors. Prints a Markdown block for docs/performance.md.
 */
import { execFileSync } from "node:child_process";
import { rm, stat } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { openDatabase, quoteIdent } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import type { Actor } from "../../src/kernel/roles.ts";
import { SYSTEM_ACTOR } from "../../src/modules/audit/audit.service.ts";
import { callFigures, claimImport, createImport, getImport, runImport } from "../../src/modules/calls/calls.service.ts";
import { syncFrameworks } from "../../src/modules/frameworks/frameworks.service.ts";
import { createOrganisation } from "../../src/modules/organisations/organisations.service.ts";
import { generateCdr } from "./generate.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const rows = Number(flag("rows", "1000000"));
const url = flag("url", "postgres://postgres@127.0.0.1:5432/test");
const schema = flag("schema", "bench_calls");
const file = path.join(tmpdir(), `vigie-bench-Master-${rows}.csv`);
const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

const admin = await openDatabase({ url });
await sql.raw(`drop schema if exists ${quoteIdent(schema)} cascade`).execute(admin.db);
await admin.close();
const database = await openDatabase({ url, schema });
const { db } = database;
try {
  await migrateToLatest(db, schema);
  await syncFrameworks(db);
  const root: Actor = {
    accountId: "00000000-0000-0000-0000-000000000000",
    email: "bench",
    displayName: "bench",
    instanceAdmin: true,
    grants: [],
  };
  const base = { timeZone: "Europe/Paris", holidayZone: "metropole" as const };
  const network = await createOrganisation(db, root, { ...base, name: "Réseau", kind: "network" });
  const region = await createOrganisation(db, root, { ...base, name: "Région", kind: "region", parentId: network.id });
  const site = await createOrganisation(db, root, { ...base, name: "Site", kind: "site", parentId: region.id });

  let t = performance.now();
  const bytes = await generateCdr(file, rows);
  log(`fichier : ${rows} lignes, ${(bytes / 1e6).toFixed(0)} Mo en ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Ceiling: psql's \copy of the same file into a bare typed table.
  await sql
    .raw(`create table ${quoteIdent(schema)}.bench_cdr (accountcode text, src text, dst text, dcontext text, clid text, channel text,
      dstchannel text, lastapp text, lastdata text, start timestamp, answer timestamp, "end" timestamp, duration integer,
      billsec integer, disposition text, amaflags text, uniqueid text, userfield text)`)
    .execute(db);
  t = performance.now();
  execFileSync("psql", [url, "-q", "-c", `\\copy ${schema}.bench_cdr from '${file}' with (format csv)`], { stdio: "inherit" });
  const ceilingSeconds = (performance.now() - t) / 1000;
  log(`plafond : ${ceilingSeconds.toFixed(1)} s`);

  t = performance.now();
  const importId = await createImport(db, SYSTEM_ACTOR, site.id, {
    fileName: "Master.csv",
    format: "asterisk",
    bytes: (await stat(file)).size,
  });
  await claimImport(db, site.id, importId);
  let lastLog = 0;
  await runImport(db, SYSTEM_ACTOR, site.id, importId, file, {
    commitWhenClean: true,
    onProgress: ({ rowsRead }) => {
      if (rowsRead - lastLog >= 1_000_000) {
        lastLog = rowsRead;
        log(`  ${rowsRead} lignes en ${((performance.now() - t) / 1000).toFixed(0)} s`);
      }
    },
  });
  const importSeconds = (performance.now() - t) / 1000;
  const result = await getImport(db, site.id, importId);
  log(`import : ${importSeconds.toFixed(1)} s, état ${result.status}, ${result.rowsCreated} appels`);
  const check = await callFigures(db, network.id, { from: "2025-01-01", to: "2025-12-31" }, { isOpen: null });
  if (result.rowsCreated !== rows || check.total.offered !== rows)
    throw new Error(`compte faux : ${result.rowsCreated} / ${check.total.offered}`);

  const ceilingRate = rows / ceilingSeconds;
  const importRate = rows / importSeconds;
  console.log(`| Lignes | Plafond \`psql \\copy\` (table nue) | Import Vigie (lecture, contrôle, clé, rollups) | Rapport |
|---|---|---|---|
| ${rows.toLocaleString("fr-FR")} | ${ceilingSeconds.toFixed(1)} s — ${Math.round(ceilingRate).toLocaleString("fr-FR")} lignes/s | ${importSeconds.toFixed(1)} s — ${Math.round(importRate).toLocaleString("fr-FR")} lignes/s | ${((importRate / ceilingRate) * 100).toFixed(0)} % |

(${cpus().length} cœurs ${cpus()[0]?.model ?? ""}, ${new Date().toISOString().slice(0, 16)} UTC)`);
} finally {
  await rm(file, { force: true });
  if (!args.includes("--keep")) await sql.raw(`drop schema if exists ${quoteIdent(schema)} cascade`).execute(db);
  await database.close();
}
