import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemo } from "../src/cli/demo-data.ts";
import type { IndicatorValue, OrgScope, Period } from "../src/modules/indicators/indicator.ts";
import { allIndicators, indicatorsInScope } from "../src/modules/indicators/sources.ts";
import { engineName, openTestDatabase, type TestDatabase } from "./support/database.ts";

/**
 * Every batch source gives each organisation of a scope what its single source gives it, on the demo's
 * data (a network of regions and sites with requests, surveys, calls, mystery tests, self-assessments,
 * actions and staff). The comparison reads the batches, the dashboard the single sources: a person
 * going from one to the other must read the same figures.
 */
describe(`batch indicator sources agree with the single ones, on the demo (${engineName})`, () => {
  let t: TestDatabase;
  let network = "";
  const year = new Date().getFullYear();
  const periods: Period[] = [
    { from: `${year}-01-01`, to: `${year}-12-31` },
    { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` },
  ];

  beforeAll(async () => {
    t = await openTestDatabase();
    await loadDemo(t.db);
    const row = await t.db
      .selectFrom("organisations")
      .select("id")
      .where("name", "=", "Réseau des maisons France services de l'Est")
      .executeTakeFirstOrThrow();
    network = row.id;
  }, 300_000);
  afterAll(async () => {
    await t?.close();
  });

  const keyOf = (v: IndicatorValue) => `${v.key}|${v.channel ?? ""}|${v.commitments.join(",")}|${v.label}`;
  const rounded = (n: number | null | undefined) => (n === null || n === undefined ? n : Math.round(n * 1e9) / 1e9);
  const normal = (values: IndicatorValue[]) =>
    values
      .slice()
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
      .map((v) => ({ ...v, value: rounded(v.value), low: rounded(v.low), high: rounded(v.high), target: rounded(v.target) }));

  for (const depth of ["children", "sites"] as const) {
    it(`for the ${depth === "children" ? "structures below the network" : "network's sites"}`, async () => {
      for (const period of periods) {
        const scope: OrgScope = { of: network, depth };
        const batch = await indicatorsInScope(t.db, scope, period);
        // Listed independently of the sources: the children, or the sites whose path holds the network.
        const all = await t.db.selectFrom("organisations").select(["id", "name", "parent_id", "kind", "path"]).execute();
        const orgs = all.filter((o) => (depth === "children" ? o.parent_id === network : o.kind === "site" && o.path.includes(network)));
        expect(orgs.length).toBeGreaterThan(1);
        expect([...batch.keys()].every((id) => orgs.some((o) => o.id === id))).toBe(true);
        let compared = 0;
        for (const org of orgs) {
          const single = await allIndicators(t.db, org.id, period);
          expect(normal(batch.get(org.id) ?? []), `${org.name} ${period.from}`).toEqual(normal(single));
          if (single.some((v) => v.value !== null)) compared += 1;
        }
        // The demo has figures this year: the comparison must not pass on empty lists.
        if (period.from.startsWith(String(year))) expect(compared).toBeGreaterThan(1);
      }
    }, 300_000);
  }
});
