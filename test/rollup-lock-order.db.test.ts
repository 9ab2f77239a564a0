import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeActionStatus, createAction, getAction, planCounts } from "../src/modules/actions/actions.service.ts";
import { SYSTEM_ACTOR } from "../src/modules/audit/audit.service.ts";
import { pushCalls } from "../src/modules/calls/calls.import.ts";
import { callFigures } from "../src/modules/calls/calls.service.ts";
import { adoptFramework } from "../src/modules/frameworks/frameworks.service.ts";
import type { Organisation } from "../src/modules/organisations/organisation.ts";
import { requestIndicators } from "../src/modules/requests/indicators.ts";
import { changeStatus, foldPendingRollups, registerRequest } from "../src/modules/requests/requests.service.ts";
import { openTestDatabase, TEST_DATABASE_URL, type TestDatabase } from "./support/database.ts";
import { createOrg, INSTANCE_ADMIN } from "./support/factories.ts";

/**
 * Writes of a network at the same moment. An answer adds to the rollup rows of its site and of every ancestor, the
 * network's row shared by all its sites; a read first folds the registrations waiting beside the rollup into the
 * same rows. Each took them in its own order (the path root first; the fold's grouping), so an answer and a fold
 * could each hold a row the other wanted, and PostgreSQL broke the deadlock by refusing one: 61 answers in 120,
 * given by 6 people while 4 readers folded. Moving actions the opposite way did the same (24 to 34 moves in 120), and
 * so did four sites' telephony platforms pushing calls into the network's rows (1 to 9 pushes in 48 to 60).
 * Every writer now takes the rows in one order. PostgreSQL only: the embedded engine has one connection.
 */
/** Runs a write and, when PostgreSQL refuses it, keeps its SQLSTATE (40P01: a deadlock) instead of stopping there. */
async function noting(refusals: string[], write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    refusals.push(String((error as { code?: string }).code ?? error));
  }
}

describe.skipIf(!TEST_DATABASE_URL)("a network's sites writing and reading the same rollup rows at once (PostgreSQL)", () => {
  let t: TestDatabase;
  let network: Organisation;
  let region: Organisation;
  const sites: Organisation[] = [];
  const REQUESTS = 120;

  beforeAll(async () => {
    t = await openTestDatabase();
    network = await createOrg(t.db, { name: "Réseau", kind: "network" });
    // Marianne announces 15 working days for a letter: each answer also moves the delay histogram.
    await adoptFramework(t.db, INSTANCE_ADMIN, network.id, "marianne-2008");
    region = await createOrg(t.db, { name: "Région", kind: "region", parentId: network.id });
    for (const name of ["Mairie A", "Mairie B", "Mairie C", "Mairie D"])
      sites.push(await createOrg(t.db, { name, kind: "site", parentId: region.id }));
  }, 60_000);
  afterAll(() => t?.close());

  const letter = (site: Organisation) =>
    registerRequest(
      t.db,
      site.id,
      { kind: "request", channel: "letter", receivedOn: "2026-03-02", subject: "Demande de pièce" },
      { source: "agent", author: { accountId: null, label: "test" } },
    );

  it("answers every request, none refused, and every level counts every answer", async () => {
    const waiting: Array<{ site: string; id: string; version: number }> = [];
    for (let i = 0; i < REQUESTS; i++) {
      const site = sites[i % sites.length] as Organisation;
      const { request } = await letter(site);
      waiting.push({ site: site.id, id: request.id, version: request.version });
    }
    const refused: string[] = [];
    const failedReads: string[] = [];
    let answering = true;
    const answer = async () => {
      for (let next = waiting.pop(); next; next = waiting.pop()) {
        const { site, id, version } = next;
        await noting(refused, () =>
          changeStatus(t.db, INSTANCE_ADMIN, site, id, { status: "answered", on: "2026-03-16", version, pauseClock: false }),
        );
      }
    };
    // A reader of the network's pages: a registration arrives, the next read folds it in.
    let registered = 0;
    const read = async (k: number) => {
      while (answering) {
        await noting(failedReads, async () => {
          await letter(sites[k % sites.length] as Organisation);
          registered++;
          await foldPendingRollups(t.db);
        });
      }
    };
    const readers = [0, 1, 2, 3].map(read);
    await Promise.all(Array.from({ length: 6 }, answer));
    answering = false;
    await Promise.all(readers);

    expect(refused).toEqual([]);
    expect(failedReads).toEqual([]);
    const figures = async (org: Organisation) => (await requestIndicators(t.db, org.id, "2026-03-01", "2026-03-31")).total;
    for (const org of [network, region]) {
      expect(await figures(org)).toMatchObject({ answered: REQUESTS, received: REQUESTS + registered });
    }
    let answeredAtSites = 0;
    for (const site of sites) answeredAtSites += (await figures(site)).answered;
    expect(answeredAtSites).toBe(REQUESTS);
  }, 120_000);

  it("moves actions both ways at two sites at once, none refused, and the network's plan adds them up", async () => {
    const [a, b] = sites as [Organisation, Organisation];
    const create = (org: Organisation, i: number, status: "todo" | "done") =>
      createAction(t.db, INSTANCE_ADMIN, org.id, { title: `Action ${i}`, planYear: 2026, status } as Parameters<typeof createAction>[3]);
    const todo: string[] = [];
    const done: string[] = [];
    for (let i = 0; i < 60; i++) {
      todo.push((await create(a, i, "todo")).id);
      done.push((await create(b, i, "done")).id);
    }
    const refused: string[] = [];
    // One team closes its actions while another reopens theirs: the network's « à faire » and « fait » rows, both ways.
    const move = async (org: Organisation, list: string[], to: "todo" | "done") => {
      for (let id = list.pop(); id; id = list.pop()) {
        await noting(refused, async () => {
          const { version } = await getAction(t.db, org.id, id);
          await changeActionStatus(t.db, INSTANCE_ADMIN, org.id, id, { status: to, version });
        });
      }
    };
    await Promise.all([
      move(a, todo, "done"),
      move(a, todo, "done"),
      move(a, todo, "done"),
      move(b, done, "todo"),
      move(b, done, "todo"),
      move(b, done, "todo"),
    ]);
    expect(refused).toEqual([]);
    const counts = await planCounts(t.db, network.id, 2026);
    expect(counts).toMatchObject({ byStatus: { todo: 60, done: 60 } });
  }, 120_000);

  it("records the calls four sites' telephony platforms push at once, none refused, and the network counts every call", async () => {
    const BATCHES = 12;
    const CALLS = 60;
    const refused: string[] = [];
    const push = async (site: Organisation, k: number) => {
      for (let b = 0; b < BATCHES; b++) {
        // Spread over the month's days and the opening hours: every push touches many of the network's rollup rows.
        const calls = Array.from({ length: CALLS }, (_, i) => {
          const day = String(2 + ((i * 7 + b + k) % 25)).padStart(2, "0");
          const hour = String(8 + ((i * 5 + k * 3 + b) % 9)).padStart(2, "0");
          const minute = String((i * 13 + b * 7) % 60).padStart(2, "0");
          return {
            id: `${k}-${b}-${i}`,
            startedAt: `2026-03-${day}T${hour}:${minute}:00`,
            line: "",
            outcome: i % 3 ? ("answered" as const) : ("abandoned" as const),
            wait: (i * 17) % 300,
            talk: 30,
          };
        });
        await noting(refused, () => pushCalls(t.db, SYSTEM_ACTOR, site.id, calls));
      }
    };
    await Promise.all(sites.map(push));
    expect(refused).toEqual([]);
    const period = { from: "2026-03-01", to: "2026-03-31" };
    expect((await callFigures(t.db, network.id, period)).total.offered).toBe(sites.length * BATCHES * CALLS);
    const bySite = await callFigures(t.db, region.id, period);
    expect(bySite.byChild.map((c) => c.offered)).toEqual(sites.map(() => BATCHES * CALLS));
  }, 120_000);
});
