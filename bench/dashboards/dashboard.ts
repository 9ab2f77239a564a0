/**
 * Network dashboard and comparison (issue #13, point 7), through the dashboards service itself, so a rerun
 * measures whatever the service does now.
 *
 * Ceilings (bare SQL, what the page cannot do without):
 * - dashboard: the network's own rollup rows of every source, for the period and the previous one (its phone
 *   rows are the descendant tables', its actions and self-assessments by year, its staff trained by day);
 * - comparison: one grouped SQL over the children's rollup rows (requests, calls, survey satisfaction).
 */
import { sql } from "kysely";
import { assembleModules } from "../../src/app/modules.ts";
import { compareScope, dashboard } from "../../src/modules/dashboards/dashboards.service.ts";
import { previousPeriod } from "../../src/modules/indicators/period.ts";
import { type Figure, p50 } from "../harness.ts";
import { type Network, PERIOD } from "../network/dataset.ts";
import type { Options } from "../run.ts";

// The modules' contributions (indicator sources, digest sections…), as the server has them.
assembleModules();

const CALLS = 20;
const month = (d: string) => `${d.slice(0, 7)}-01`;

/**
 * Every monthly rollup table read by the dashboard's sources. A parent's phone figures live in the
 * descendant tables (per-line detail stays at the site, migration 0018): those are the network's own rows.
 */
const ROLLUPS = [
  "request_rollup",
  "call_rollup",
  "call_wait_rollup",
  "call_descendant_rollup",
  "call_descendant_wait_rollup",
  "survey_satisfaction_rollup",
  "mystery_rollup",
];
/** The yearly ones (actions, self-assessments) and the staff trained by day. */
const YEARLY: Array<[string, string]> = [
  ["action_rollup", "plan_year"],
  ["assessment_rollup", "year"],
];

export function dashboardFigure(network: Network, _options: Options): Figure {
  const { db, networkId } = network;
  const before = previousPeriod(PERIOD);
  const from = month(before.from);
  const to = month(PERIOD.to);
  return {
    label: "tableau de bord du réseau, p50",
    direction: "latency",
    goal: 5,
    unit: "ms",
    ceiling: () =>
      p50(CALLS, async () => {
        for (const table of ROLLUPS)
          await sql`select * from ${sql.table(table)} where org_id = ${networkId} and month between ${from} and ${to}`.execute(db);
        for (const [table, year] of YEARLY)
          await sql`select * from ${sql.table(table)} where org_id = ${networkId} and ${sql.ref(year)} between ${Number(from.slice(0, 4))} and ${Number(to.slice(0, 4))}`.execute(
            db,
          );
        await sql`select * from staff_rollup where org_id = ${networkId} and day <= ${PERIOD.to}`.execute(db);
      }),
    vigie: () => p50(CALLS, () => dashboard(db, networkId, PERIOD)),
  };
}

/** The children's figures in one grouped read per source: what a comparison needs at least. */
async function groupedChildren(network: Network, orgId: string) {
  const { db } = network;
  const from = month(previousPeriod(PERIOD).from);
  const to = month(PERIOD.to);
  await sql`
    select r.org_id, sum(received), sum(answered), sum(answered_in_time), sum(answered_with_target)
    from request_rollup r join organisations o on o.id = r.org_id
    where o.parent_id = ${orgId} and r.month between ${from} and ${to} group by r.org_id`.execute(db);
  // A child's phone figures: its own calls (a site's) and its descendants' (a region's, migration 0018).
  await sql`
    select r.org_id, sum(offered), sum(answered), sum(abandoned), sum(wait_sum)
    from (select org_id, month, offered, answered, abandoned, wait_sum from call_rollup
          union all
          select org_id, month, offered, answered, abandoned, wait_sum from call_descendant_rollup) r
    join organisations o on o.id = r.org_id
    where o.parent_id = ${orgId} and r.month between ${from} and ${to} group by r.org_id`.execute(db);
  await sql`
    select r.org_id, sum(answered), sum(satisfied), sum(dissatisfied)
    from survey_satisfaction_rollup r join organisations o on o.id = r.org_id
    where o.parent_id = ${orgId} and r.month between ${from} and ${to} group by r.org_id`.execute(db);
}

export function comparisonFigures(network: Network, _options: Options): Figure[] {
  const { db, networkId } = network;
  // The department with the most sites (52 at 5,000 sites, as in the issue).
  const department = network.departments[0];
  if (!department) throw new Error("aucun département");
  const figure = (label: string, orgId: string): Figure => ({
    label,
    direction: "latency",
    goal: 5,
    unit: "ms",
    ceiling: () => p50(CALLS, () => groupedChildren(network, orgId)),
    // The dashboards service's comparison of the children of the node.
    vigie: () => p50(CALLS, () => compareScope(db, orgId, PERIOD, "children", "requests.answered_in_time")),
  });
  return [
    figure(`comparaison des ${department.sites} sites d'un département, p50`, department.id),
    figure("comparaison du réseau entier (ses 13 régions), p50", networkId),
  ];
}
