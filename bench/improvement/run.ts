/**
 * The improvement loop at network scale (issue #7): how long the figures of a whole national network
 * take — self-assessment scores, action plan counts, share of staff trained — and the full annual
 * review page data. Each read is put against a ceiling measured in the same run — the bare SQL read of
 * the rollup rows it needs, the fastest it could be — and against the plain aggregate over the raw
 * rows of the subtree that the rollups spare.
 *
 *   npx tsx bench/improvement/run.ts [--sites 2000] [--actions 30] [--staff 10] [--calls 20] [--url postgres://…]
 *
 * Without --url it runs on an in-memory PGlite. Not a test: nothing here is under vitest.
 */
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import { openDatabase } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import type { Actor } from "../../src/kernel/roles.ts";
import { actionIndicatorSource } from "../../src/modules/actions/actions.service.ts";
import { assessmentIndicatorSource } from "../../src/modules/assessments/assessments.service.ts";
import { adoptFramework, syncFrameworks } from "../../src/modules/frameworks/frameworks.service.ts";
import { createOrganisation } from "../../src/modules/organisations/organisations.service.ts";
import { buildReview } from "../../src/modules/reviews/reviews.service.ts";
import { staffIndicatorSource } from "../../src/modules/staff/staff.service.ts";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const SITES = Number(arg("sites", "2000"));
const ACTIONS = Number(arg("actions", "30"));
const STAFF = Number(arg("staff", "10"));
const CALLS = Number(arg("calls", "20"));
const URL = process.argv.includes("--url") ? arg("url", "") : undefined;
const YEAR = 2026;
const ROOT: Actor = {
  accountId: "00000000-0000-0000-0000-000000000001",
  email: "bench@vigie",
  displayName: "Banc",
  instanceAdmin: true,
  grants: [],
};
const BASE = {
  timeZone: "Europe/Paris",
  holidayZone: "metropole" as const,
  addressStreet: undefined,
  addressPostcode: undefined,
  addressCity: undefined,
  siret: undefined,
};

const schema = URL ? `bench_improvement_${Date.now().toString(36)}` : undefined;
const database = await openDatabase({ url: URL, schema });
const db = database.db;
try {
  await migrateToLatest(db, schema);
  await syncFrameworks(db);
  const network = await createOrganisation(db, ROOT, { ...BASE, name: "Réseau", kind: "network", parentId: undefined });
  await adoptFramework(db, ROOT, network.id, "sp+2021");
  const regions = [];
  for (let r = 0; r < 13; r++)
    regions.push(await createOrganisation(db, ROOT, { ...BASE, name: `Région ${r}`, kind: "region", parentId: network.id }));
  // Sites by SQL, with the path the application would give them (the service costs an audit line each).
  const t0 = performance.now();
  await sql`
    insert into organisations (id, parent_id, path, kind, name, time_zone, holiday_zone)
    select id, parent, path || id, 'site', 'Site ' || n, 'Europe/Paris', 'metropole'
    from (
      select gen_random_uuid() as id, r.id as parent, r.path, n
      from generate_series(1, ${SITES}::int) as n
      join (select id, path, row_number() over (order by name) - 1 as k from organisations where kind = 'region') r on r.k = n % 13
    ) s`.execute(db);
  // Raw rows: actions in every state, staff and trainings, one signed campaign score per commitment.
  await sql`
    insert into actions (org_id, number, title, commitment_id, plan_year, status, origin)
    select o.id, n, 'Action ' || n, 'sp+2021/' || (1 + n % 9), ${YEAR}::int,
           (array['todo','doing','done','dropped'])[1 + (n * 7 + length(o.name)) % 4], 'free'
    from organisations o cross join generate_series(1, ${ACTIONS}::int) n where o.kind = 'site'`.execute(db);
  await sql`
    insert into action_rollup (org_id, plan_year, commitment_id, status, actions)
    select p.org_id, a.plan_year, coalesce(a.commitment_id, ''), a.status, count(*)
    from actions a join organisations o on o.id = a.org_id cross join unnest(o.path) as p(org_id)
    group by 1, 2, 3, 4`.execute(db);
  await sql`
    insert into staff_members (org_id, name)
    select o.id, 'Agent ' || n from organisations o cross join generate_series(1, ${STAFF}::int) n where o.kind = 'site'`.execute(db);
  await sql`
    insert into staff_trainings (org_id, staff_id, theme, completed_on)
    select m.org_id, m.id, t.theme, '2026-03-01'
    from staff_members m
    cross join unnest(array['disability','posture','other_administrations','life_events','digital','regulation','bienveillance']) with ordinality as t(theme, k)
    where (length(m.name) + t.k) % 3 <> 0`.execute(db);
  await sql`
    insert into staff_counts (org_id, active)
    select p.org_id, count(*) from staff_members m join organisations o on o.id = m.org_id cross join unnest(o.path) as p(org_id)
    group by 1`.execute(db);
  await sql`
    insert into staff_rollup (org_id, day, theme, trained)
    select p.org_id, f.day, f.theme, count(*)
    from (select org_id, staff_id, theme, min(completed_on) as day from staff_trainings group by 1, 2, 3) f
    join organisations o on o.id = f.org_id cross join unnest(o.path) as p(org_id)
    group by 1, 2, 3`.execute(db);
  await sql`
    insert into assessment_rollup (org_id, year, commitment_id, score_sum, campaigns)
    select p.org_id, ${YEAR}::int, 'sp+2021/' || c, sum(50 + (length(o.name) * c) % 50), count(*)
    from organisations o cross join unnest(o.path) as p(org_id) cross join generate_series(1, 9) c
    where o.kind = 'site' group by 1, 2, 3`.execute(db);
  await sql`analyze`.execute(db);
  const loadSeconds = (performance.now() - t0) / 1000;

  const period = { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` };
  const time = async (f: () => Promise<unknown>) => {
    await f();
    const samples: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const s = performance.now();
      await f();
      samples.push(performance.now() - s);
    }
    samples.sort((a, b) => a - b);
    return { p50: samples[Math.floor(samples.length / 2)] ?? 0, p95: samples[Math.floor(samples.length * 0.95)] ?? 0 };
  };
  const subtree = sql`(select id from organisations where path && ${sql.val([network.id])}::uuid[])`;
  const rows = [
    ["scores d'auto-évaluation (source, rollup)", await time(() => assessmentIndicatorSource(db, network.id, period))],
    [
      "plafond : lecture nue des lignes du rollup des scores",
      await time(() => sql`select * from assessment_rollup where org_id = ${network.id} and year = ${YEAR}`.execute(db)),
    ],
    ["plan d'actions (source, rollup)", await time(() => actionIndicatorSource(db, network.id, period))],
    [
      "plafond : lecture nue des lignes du rollup des actions",
      await time(() => sql`select * from action_rollup where org_id = ${network.id} and plan_year = ${YEAR}`.execute(db)),
    ],
    [
      "évité : comptage des actions brutes du sous-arbre",
      await time(() =>
        sql`select commitment_id, status, count(*) from actions where org_id in ${subtree} and plan_year = ${YEAR} group by 1, 2`.execute(
          db,
        ),
      ),
    ],
    ["agents formés (source, rollup)", await time(() => staffIndicatorSource(db, network.id, period))],
    [
      "évité : agrégat des formations brutes du sous-arbre",
      await time(() =>
        sql`select t.theme, count(distinct t.staff_id) from staff_trainings t join staff_members m on m.org_id = t.org_id and m.id = t.staff_id
            where t.org_id in ${subtree} and m.active and t.completed_on <= ${period.to} group by 1`.execute(db),
      ),
    ],
    ["bilan annuel complet du réseau (toutes sources)", await time(() => buildReview(db, network.id, YEAR))],
  ] as const;
  const count = async (table: string) =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]?.n);
  console.log(
    `\n${URL ? "PostgreSQL" : "PGlite"} — ${SITES} sites, ${await count("actions")} actions, ${await count("staff_members")} agents, ${await count("staff_trainings")} formations (chargés en ${loadSeconds.toFixed(1)} s), ${CALLS} appels\n`,
  );
  console.log("| lecture | p50 | p95 |");
  console.log("| --- | ---: | ---: |");
  for (const [label, t] of rows) console.log(`| ${label} | ${t.p50.toFixed(1)} ms | ${t.p95.toFixed(1)} ms |`);
  const ratio = (x: number, y: number) => `${(x / y).toFixed(1)} ×`;
  const p50 = (i: number) => rows[i]?.[1].p50 ?? Number.NaN;
  console.log(
    `\nsource / plafond (p50) : scores ${ratio(p50(0), p50(1))}, actions ${ratio(p50(2), p50(3))} ; agrégat brut évité / source : actions ${ratio(p50(4), p50(2))}, formations ${ratio(p50(6), p50(5))}`,
  );
} finally {
  if (URL && schema) await sql.raw(`drop schema if exists "${schema}" cascade`).execute(db);
  await database.close();
}
