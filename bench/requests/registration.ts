/**
 * Request registration (issue #13, point 7): 16 clients registering requests on random sites for a few seconds,
 * through `registerRequest` (the service the form and the API call), against a ceiling: the same 16 clients each
 * running a bare transaction that inserts the request and its event, nothing else. Rows/s; goal ≥ 40 %. The
 * registrations' counts wait beside the rollups until their next read (migration 0036): that read's adding
 * them is timed after the load and counted in Vigie's time.
 */
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { assembleModules } from "../../src/app/modules.ts";
import { auditActor } from "../../src/modules/audit/audit.service.ts";
import { foldPendingRollups, registerRequest } from "../../src/modules/requests/requests.service.ts";
import { eachOnce, type Figure, throughput } from "../harness.ts";
import type { Network } from "../network/dataset.ts";
import type { Options } from "../run.ts";

// The modules' contributions (indicator sources, digest sections…), as the server has them.
assembleModules();

const CLIENTS = 16;
const CHANNELS = ["counter", "phone", "email", "web", "letter"] as const;
const KINDS = ["request", "request", "request", "complaint", "suggestion"] as const;

export function registrationFigure(network: Network, options: Options): Figure {
  const { db, siteIds } = network;
  const author = auditActor(network.actor);
  const site = () => siteIds[Math.floor(Math.random() * siteIds.length)] ?? "";
  const day = (i: number) => `2026-11-${String(1 + (i % 28)).padStart(2, "0")}`;
  let serial = 0;
  const bare = (org: string, w: number, i: number) =>
    db.transaction().execute(async (trx) => {
      const row = await sql<{ id: string }>`
        insert into requests (org_id, number, kind, channel, status, source, subject, received_on, tracking_token_hash)
        values (${org}, ${`C-${process.pid}-${++serial}`}, ${KINDS[i % 5]}, ${CHANNELS[(w + i) % 5]}, 'received', 'agent',
                ${`Demande du banc ${i}`}, ${day(i)}, ${randomBytes(18).toString("base64url")})
        returning id`.execute(trx);
      await sql`insert into request_events (org_id, request_id, actor_label, type, to_status) values (${org}, ${row.rows[0]?.id}, 'banc', 'created', 'received')`.execute(
        trx,
      );
    });
  const register = (org: string, w: number, i: number) =>
    registerRequest(
      db,
      org,
      {
        kind: KINDS[i % 5] ?? "request",
        channel: CHANNELS[(w + i) % 5] ?? "counter",
        receivedOn: day(i),
        subject: `Demande du banc ${i}`,
      },
      { source: "agent", author },
    );
  return {
    label: `enregistrement d'une demande, ${CLIENTS} clients sur des sites au hasard`,
    direction: "throughput",
    goal: 0.4,
    unit: "demandes/s",
    // One request per site on each side: a server in service has met every site (its settings read once).
    warmUp: async () => {
      await eachOnce(siteIds, CLIENTS, (org, i) => bare(org, i % CLIENTS, i));
      await eachOnce(siteIds, CLIENTS, (org, i) => register(org, i % CLIENTS, i));
      await foldPendingRollups(db);
    },
    ceiling: () => throughput(options.seconds, CLIENTS, (w, i) => bare(site(), w, i)),
    vigie: async () => {
      const start = performance.now();
      const rate = await throughput(options.seconds, CLIENTS, (w, i) => register(site(), w, i));
      const load = (performance.now() - start) / 1000;
      // The price moved off the registration: the next read of the rollups adds the waiting counts. Counted here.
      const folding = performance.now();
      await foldPendingRollups(db);
      const fold = (performance.now() - folding) / 1000;
      return (rate * load) / (load + fold);
    },
  };
}
