import { rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cdrLine, randomCalls } from "../../../test/support/call-logs.ts";
import { engineName, openTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import { countingQueries } from "../../../test/support/query-count.ts";
import type { Actor } from "../../kernel/roles.ts";
import { SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { adoptFramework } from "../frameworks/frameworks.service.ts";
import type { OrgScope } from "../indicators/indicator.ts";
import { savePublicInfo } from "../opening-hours/opening-hours.service.ts";
import { createOrganisation } from "../organisations/organisations.service.ts";
import {
  callFigures,
  callIndicatorBatch,
  callIndicators,
  claimImport,
  createImport,
  runImport,
  saveCallSettings,
} from "./calls.service.ts";

/**
 * The phone figures of a network cost the same at any number of sites (issue #13): `callFigures` of a
 * node and `callIndicatorBatch` over its children or all its sites send the same statements at 5 and
 * at 50 sites, and the batch gives each organisation what `callIndicators` gives it alone.
 */
const PERIOD = { from: "2026-01-01", to: "2026-03-31" };
const root = { accountId: null, email: "test", displayName: "test", instanceAdmin: true, grants: [] } as unknown as Actor;
const base = { timeZone: "Europe/Paris", holidayZone: "metropole" as const };

describe(`phone figures at two network sizes, on ${engineName}`, () => {
  let database: TestDatabase;
  const files: string[] = [];
  const networks: Record<number, { id: string; sites: string[] }> = {};

  async function importCalls(orgId: string, seed: number) {
    const file = path.join(tmpdir(), `vigie-scale-${process.pid}-${seed}.csv`);
    files.push(file);
    const lines = randomCalls(seed, 30, [`01${seed}`, "file-accueil"]).map((x, i) => cdrLine({ ...x, inbound: true }, seed * 1000 + i));
    await writeFile(file, `${lines.join("\n")}\n`);
    const db = database.db;
    const id = await createImport(db, SYSTEM_ACTOR, orgId, { fileName: "Master.csv", format: "asterisk", bytes: (await stat(file)).size });
    await claimImport(db, orgId, id);
    expect((await runImport(db, SYSTEM_ACTOR, orgId, id, file, { commitWhenClean: true })).status).toBe("done");
  }

  /** A network of two regions and `size` sites, with an adopted framework, one site's own rings and one site's hours. */
  async function network(size: number, seed: number) {
    const db = database.db;
    const net = (await createOrganisation(db, root, { ...base, name: `Réseau ${size}`, kind: "network" })).id;
    await adoptFramework(db, root, net, "marianne-2008");
    const regions = [
      (await createOrganisation(db, root, { ...base, name: "Nord", kind: "region", parentId: net })).id,
      (await createOrganisation(db, root, { ...base, name: "Sud", kind: "region", parentId: net })).id,
    ];
    const sites: string[] = [];
    for (let i = 0; i < size; i++) {
      const parentId = regions[i % 2] as string;
      const site = (await createOrganisation(db, root, { ...base, name: `Site ${i}`, kind: "site", parentId })).id;
      sites.push(site);
      // Every site but the last receives calls: a site with none must simply be absent.
      if (i < size - 1) await importCalls(site, seed + i);
    }
    await saveCallSettings(db, root, sites[0] as string, { rings: 3, secondsPerRing: 4, inboundContexts: [], version: 0 });
    await savePublicInfo(
      db,
      root,
      sites[1] as string,
      {
        hours: "Mo-Fr 08:30-12:00,13:30-17:00",
        closesDeadlines: false,
        version: 0,
      } as Parameters<typeof savePublicInfo>[3],
    );
    networks[size] = { id: net, sites };
  }

  beforeAll(async () => {
    database = await openTestDatabase();
    await network(5, 100);
    await network(50, 200);
  }, 300_000);
  afterAll(async () => {
    for (const f of files) await rm(f, { force: true });
    await database.close();
  });

  it("gives each organisation of a scope, in one batch, what the single source gives it", async () => {
    const db = database.db;
    const net = networks[50]?.id ?? "";
    for (const depth of ["sites", "children"] as const) {
      const batch = await callIndicatorBatch(db, { of: net, depth }, PERIOD);
      const orgs = depth === "sites" ? (networks[50]?.sites ?? []) : [...batch.keys()];
      expect(batch.size).toBe(depth === "sites" ? 49 : 2);
      for (const orgId of orgs) {
        const single = await callIndicators(db, orgId, PERIOD);
        expect(batch.get(orgId) ?? [], `${depth} ${orgId}`).toEqual(single);
      }
    }
    // The site with its own rings and the one with opening hours are there, as their pages say.
    const sites = await callIndicatorBatch(db, { of: net, depth: "sites" }, PERIOD);
    const [first, second] = networks[50]?.sites ?? [];
    expect(sites.get(first ?? "")?.find((v) => v.key === "calls.within_rings")?.label).toBe("Appels décrochés en 3 sonneries au plus");
    expect(sites.get(second ?? "")?.some((v) => v.key === "calls.outside_hours")).toBe(true);
  });

  it("sends the same statements at 5 and 50 sites, for the batch and for a network's page", async () => {
    const counter = countingQueries(database.db);
    const cost = async (run: () => Promise<unknown>) => {
      counter.reset();
      await run();
      return counter.count;
    };
    for (const depth of ["sites", "children"] as const) {
      const at = async (size: number) => {
        const scope: OrgScope = { of: networks[size]?.id ?? "", depth };
        return cost(() => callIndicatorBatch(counter.db, scope, PERIOD));
      };
      const small = await at(5);
      expect(small).toBeGreaterThan(0);
      expect(await at(50), depth).toBe(small);
    }
    const page = async (size: number) => cost(() => callFigures(counter.db, networks[size]?.id ?? "", PERIOD));
    const small = await page(5);
    expect(small).toBeGreaterThan(0);
    expect(await page(50)).toBe(small);
  });
});
