/**
 * Call import (issue #13, point 7): a Master.csv imported by the application's path (`createImport`, `claimImport`,
 * `runImport` with `commitWhenClean`, as the page and `npm run import:calls` do) into a `calls` table that already
 * holds the network's year of calls, against a ceiling measured in the same run: a binary COPY of the same
 * converted rows (as the import wrote them: key, local day, slot…) into the same `calls` table, primary key in
 * place. After each side its rows are deleted, so every side meets a table of the same size. Rows/s; goal ≥ 50 %.
 */
import { once } from "node:events";
import { rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { quoteIdent } from "../../src/db/database.ts";
import { SYSTEM_ACTOR } from "../../src/modules/audit/audit.service.ts";
import { claimImport, createImport, runImport } from "../../src/modules/calls/calls.service.ts";
import { type Figure, log } from "../harness.ts";
import type { Network } from "../network/dataset.ts";
import type { Options } from "../run.ts";
import { generateCdr } from "./generate.ts";

const COLUMNS = "org_id, call_key, import_id, started_at, local_day, slot, line, outcome, wait_seconds, talk_seconds";

export async function callImportFigure(network: Network, options: Options): Promise<Figure> {
  const { db, siteIds } = network;
  const rows = options.sites >= 1000 ? 500_000 : 100_000;
  const file = path.join(tmpdir(), `vigie-bench-calls-${process.pid}.csv`);
  await generateCdr(file, rows);
  const bytes = (await stat(file)).size;
  const client = new pg.Client({ connectionString: network.url, options: `-c search_path=${quoteIdent(network.schema)}` });
  await client.connect();
  const held = Number((await sql<{ n: string }>`select count(*) as n from calls`.execute(db)).rows[0]?.n);
  log(`appels : fichier de ${rows} lignes, table calls de ${held} lignes`);
  let next = 0;
  const ceilingSite = siteIds[siteIds.length - 1] ?? "";
  /** The converted rows of the first import, in COPY's binary format, for the ceiling. */
  let converted: Buffer[] | undefined;
  let written: { orgId: string; importId: string } | undefined;

  const vigie = async () => {
    const orgId = siteIds[next++ % (siteIds.length - 1)] ?? "";
    const start = performance.now();
    const importId = await createImport(db, SYSTEM_ACTOR, orgId, { fileName: "Master.csv", format: "asterisk", bytes });
    await claimImport(db, orgId, importId);
    const result = await runImport(db, SYSTEM_ACTOR, orgId, importId, file, { commitWhenClean: true });
    const seconds = (performance.now() - start) / 1000;
    if (result.rowsCreated !== rows) throw new Error(`import : ${result.rowsCreated} appels enregistrés sur ${rows} (${result.status})`);
    written = { orgId, importId };
    if (!converted) {
      converted = [];
      const out = client.query(
        copyTo(`copy (select ${COLUMNS.replace("org_id", `'${ceilingSite}'::uuid`)} from calls where org_id = '${orgId}' and import_id = '${importId}')
                to stdout (format binary)`),
      );
      for await (const chunk of out) converted.push(chunk as Buffer);
    }
    return rows / seconds;
  };

  const ceiling = async () => {
    if (!converted) {
      await vigie();
      await reset();
    }
    const start = performance.now();
    await client.query("begin");
    const input = client.query(copyFrom(`copy calls (${COLUMNS}) from stdin (format binary)`));
    for (const chunk of converted ?? []) if (!input.write(chunk)) await once(input, "drain");
    input.end();
    await once(input, "finish");
    await client.query("commit");
    const seconds = (performance.now() - start) / 1000;
    written = { orgId: ceilingSite, importId: "" };
    return rows / seconds;
  };

  const reset = async () => {
    if (!written) return;
    if (written.importId) await sql`delete from calls where org_id = ${written.orgId} and import_id = ${written.importId}`.execute(db);
    else await sql`delete from calls where org_id = ${written.orgId} and started_at >= '2025-01-01' and import_id <> org_id`.execute(db);
    written = undefined;
  };

  return {
    label: `import d'appels (${rows.toLocaleString("fr-FR")} lignes) dans \`calls\` qui en tient ${held.toLocaleString("fr-FR")}`,
    direction: "throughput",
    goal: 0.5,
    unit: "lignes/s",
    ceiling,
    vigie,
    reset,
    close: async () => {
      await client.end();
      await rm(file, { force: true });
    },
  };
}
