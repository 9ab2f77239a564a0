/**
 * Register import (issue #13, point 7): a register of 10,000 requests (the most a file may hold) imported by the
 * application's own path — `parseRegister` (the upload), `proposeMapping`, then `commitImport` (deadlines, receipt
 * numbers, events, rollups, audit, in one transaction) — on a site of the network, against a ceiling measured in
 * the same run: COPY of the same rows, as the import wrote them, into `requests` with all its indexes.
 * Rows/s; goal ≥ 25 %.
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { sql } from "kysely";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { quoteIdent } from "../../src/db/database.ts";
import { auditActor } from "../../src/modules/audit/audit.service.ts";
import { commitImport } from "../../src/modules/requests/import/import.service.ts";
import { proposeMapping } from "../../src/modules/requests/import/mapping.ts";
import { parseRegister } from "../../src/modules/requests/import/parse-file.ts";
import type { Figure } from "../harness.ts";
import type { Network } from "../network/dataset.ts";
import type { Options } from "../run.ts";

const ROWS = 10_000;
const KINDS = ["demande", "demande", "demande", "demande", "demande", "demande", "demande", "réclamation", "réclamation", "suggestion"];
const CHANNELS = ["accueil", "accueil", "téléphone", "courriel", "internet", "courrier"];
const COLUMNS =
  "org_id, number, kind, channel, status, source, subject, body, requester_name, requester_email, received_on, target_value, target_unit, commitment_id, due_on, tracking_token_hash";

function register(run: string): Uint8Array {
  const lines = ["Type;Canal;Date de réception;Objet;Nom;Courriel"];
  for (let i = 0; i < ROWS; i++) {
    const day = `${String(1 + (i % 28)).padStart(2, "0")}/${String(1 + (i % 11)).padStart(2, "0")}/2026`;
    lines.push(
      `${KINDS[i % KINDS.length]};${CHANNELS[i % CHANNELS.length]};${day};Dossier ${run} n° ${i};Usager ${i};usager${i}@example.org`,
    );
  }
  return new TextEncoder().encode(`${lines.join("\r\n")}\r\n`);
}

export async function registerImportFigure(network: Network, _options: Options): Promise<Figure> {
  const { db, siteIds } = network;
  const author = auditActor(network.actor);
  const client = new pg.Client({ connectionString: network.url, options: `-c search_path=${quoteIdent(network.schema)}` });
  await client.connect();
  let next = 0;
  const site = () => siteIds[(next++ * 7919) % siteIds.length] ?? "";
  /** The rows of the last import, as the application wrote them, ready for the ceiling's COPY. */
  let lastImport: { orgId: string; run: string } | undefined;

  const vigie = async () => {
    const run = randomUUID().slice(0, 8);
    const bytes = register(run);
    const orgId = site();
    const start = performance.now();
    const sheet = await parseRegister(bytes);
    const report = await commitImport(db, orgId, { sheet, mapping: proposeMapping(sheet.columns), constants: {} }, author);
    const seconds = (performance.now() - start) / 1000;
    if (report.created.length !== ROWS)
      throw new Error(
        `import : ${report.created.length} demandes créées sur ${ROWS} (${JSON.stringify(report.mappingErrors)}, ${report.invalid.length} lignes refusées)`,
      );
    lastImport = { orgId, run };
    return ROWS / seconds;
  };

  const ceiling = async () => {
    if (!lastImport) await vigie();
    const from = lastImport as { orgId: string; run: string };
    const target = site();
    const tag = randomUUID().slice(0, 8);
    // Exported before the clock starts: the same rows, for another site, with their own numbers and tokens.
    const chunks: Buffer[] = [];
    const out = client.query(
      copyTo(`copy (select ${COLUMNS.replace("org_id", `'${target}'::uuid`).replace("number", `'K-${tag}-' || number`).replace("tracking_token_hash", "md5(random()::text || id::text)")}
                    from requests where org_id = '${from.orgId}' and subject like 'Dossier ${from.run} %') to stdout`),
    );
    for await (const chunk of out) chunks.push(chunk as Buffer);
    const start = performance.now();
    const input = client.query(copyFrom(`copy requests (${COLUMNS}) from stdin`));
    for (const chunk of chunks) if (!input.write(chunk)) await once(input, "drain");
    input.end();
    await once(input, "finish");
    const seconds = (performance.now() - start) / 1000;
    const copied = Number(
      (await sql<{ n: string }>`select count(*) as n from requests where org_id = ${target} and number like ${`K-${tag}-%`}`.execute(db))
        .rows[0]?.n,
    );
    if (copied !== ROWS) throw new Error(`plafond : ${copied} lignes copiées sur ${ROWS}`);
    return ROWS / seconds;
  };

  return {
    label: `import d'un registre de ${ROWS.toLocaleString("fr-FR")} demandes`,
    direction: "throughput",
    goal: 0.25,
    unit: "lignes/s",
    ceiling,
    vigie,
    // The COPY connection: left open, it kept the process alive after the figures were printed.
    close: () => client.end(),
  };
}
