/**
 * Issue #5's benchmark: answers recorded per second on the public survey endpoint, against PostgreSQL,
 * measured in the same run as a bare Fastify route doing one INSERT into the same table (the ceiling).
 *
 *   npx tsx bench/surveys/run.ts [--seconds 20] [--concurrency 16] [--schema bench_surveys]
 *
 * Steps:
 * 1. a fresh schema on DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), migrations, a
 *    network of 3 levels (network → region → site), the annual survey created at the site;
 * 2. the bodies: for each request a one-time form token issued by the application (as the public page
 *    would hand it out) and a realistic answer set (10 questions answered, a comment in one answer out of five);
 * 3. the ceiling: a bare Fastify server (no session, no access check, no validation) whose route does one
 *    INSERT into `survey_responses`, with the same pool size, loaded by `load.ts` in its own process;
 * 4. Vigie: the real application (`buildServer`, every plugin) on POST
 *    /api/v1/public/organisations/:orgId/surveys/:surveyId/responses, same load — validation, rate limit,
 *    form token, the response and its rollups for the site and its 2 ancestors in one statement;
 * 5. checks: the rollup of the site counts exactly the responses stored.
 * Prints a Markdown snippet for docs/performance.md.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Fastify from "fastify";
import { sql } from "kysely";
import pg from "pg";
import { buildServer } from "../../src/app/server.ts";
import { openDatabase, quoteIdent } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { loadConfig } from "../../src/kernel/config.ts";
import type { Actor } from "../../src/kernel/roles.ts";
import { syncFrameworks } from "../../src/modules/frameworks/frameworks.service.ts";
import { createOrganisation } from "../../src/modules/organisations/organisations.service.ts";
import { issueFormToken } from "../../src/modules/surveys/form-token.ts";
import { createSurvey, satisfactionOf } from "../../src/modules/surveys/surveys.service.ts";

const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const SECONDS = Number(flag("seconds", "20"));
const CONCURRENCY = Number(flag("concurrency", "16"));
const SCHEMA = flag("schema", "bench_surveys");
/** Ceiling and Vigie alternate this many times: on a shared machine, a burst of other work hits both. */
const ROUNDS = Number(flag("rounds", "3"));
const URL_ = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const log = (m: string) => process.stderr.write(`${m}\n`);

const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
await admin.query(`drop schema if exists ${quoteIdent(SCHEMA)} cascade`);
const pgVersion = (await admin.query("show server_version")).rows[0].server_version;
const database = await openDatabase({ url: URL_, schema: SCHEMA });
const db = database.db;
await migrateToLatest(db, SCHEMA);
await syncFrameworks(db);
const root: Actor = { accountId: null, email: "bench@vigie", displayName: "bench", instanceAdmin: true, grants: [] } as unknown as Actor;
const base = {
  timeZone: "Europe/Paris",
  holidayZone: "metropole" as const,
  addressStreet: undefined,
  addressPostcode: undefined,
  addressCity: undefined,
  siret: undefined,
};
const network = await createOrganisation(db, root, { ...base, name: "Réseau", kind: "network", parentId: undefined });
const region = await createOrganisation(db, root, { ...base, name: "Région", kind: "region", parentId: network.id });
const site = await createOrganisation(db, root, { ...base, name: "Site", kind: "site", parentId: region.id });
const survey = await createSurvey(db, root, site.id, { template: "annual" });

const ANSWERS = {
  channel: "counter",
  courtesy: "4",
  orientation: "yes",
  delay: "3",
  clarity: "4",
  "opening-hours": "no",
  "preferred-hours": ["early", "evening"],
  overall: "4",
  recommendation: "9",
  comment: "Accueil agréable, un peu d'attente." as string | undefined,
};
const total = 3000 * SECONDS * ROUNDS;
log(`tokens: ${total}…`);
const appPath = `/api/v1/public/organisations/${site.id}/surveys/${survey.id}/responses`;
const appBodies: Array<{ path: string; body: string }> = [];
for (let i = 0; i < total; i++) {
  // One respondent in five writes a comment, as in the demo's annual survey.
  const answers = i % 5 === 0 ? ANSWERS : { ...ANSWERS, comment: undefined };
  appBodies.push({ path: appPath, body: JSON.stringify({ formToken: await issueFormToken(db, site.id, survey.id), answers }) });
}
const bareBodies = appBodies.map((b) => ({ path: "/bare", body: b.body }));
const dir = await mkdtemp(path.join(tmpdir(), "vigie-bench-surveys-"));
const perRound = Math.floor(total / ROUNDS);
for (let r = 0; r < ROUNDS; r++)
  writeFileSync(path.join(dir, `app-${r}.json`), JSON.stringify(appBodies.slice(r * perRound, (r + 1) * perRound)));
writeFileSync(path.join(dir, "bare.json"), JSON.stringify(bareBodies.slice(0, perRound)));

/** Async: the servers under load live in this process, and must keep answering while the load runs. */
async function load(url: string, file: string): Promise<{ ok: number; failed: number; seconds: number; statuses: Record<string, number> }> {
  const { stdout: out } = await promisify(execFile)(
    process.execPath,
    [
      "--import",
      "tsx",
      "bench/surveys/load.ts",
      "--url",
      url,
      "--bodies",
      file,
      "--concurrency",
      String(CONCURRENCY),
      "--seconds",
      String(SECONDS),
    ],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  return JSON.parse(out);
}

// Ceiling: the same table, one INSERT, nothing else.
const bare = Fastify({ logger: false });
bare.post("/bare", async (request) => {
  const body = request.body as { answers: unknown };
  await sql`insert into survey_responses (org_id, survey_id, version, channel, answered_on, answers, form_token_hash, site_id)
            values (${site.id}, ${survey.id}, 1, 'counter', current_date, ${JSON.stringify(body.answers)}::jsonb,
                    ${randomBytes(24).toString("base64url")}, ${site.id})`.execute(db);
  return { status: "recorded" };
});
await bare.listen({ host: "127.0.0.1", port: 0 });
const app = await buildServer({ db, config: loadConfig({ DATA_DIR: "/nonexistent", TRUST_PROXY: "true" }) });
await app.listen({ host: "127.0.0.1", port: 0 });
const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}`;
const appUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

/** `--profile`: a CPU profile of this process (the servers) during the first Vigie load, to see where time goes. */
const PROFILE = process.argv.includes("--profile");
async function startProfile(): Promise<() => Promise<string>> {
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    const file = path.join(dir, "serveur.cpuprofile");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    return file;
  };
}

type Run = Awaited<ReturnType<typeof load>>;
const ceilings: Run[] = [];
const vigies: Run[] = [];
let ceilingRows = 0;
for (let r = 0; r < ROUNDS; r++) {
  log(`round ${r + 1}/${ROUNDS}: ceiling…`);
  const c = await load(bareUrl, path.join(dir, "bare.json"));
  ceilings.push(c);
  ceilingRows += c.ok;
  log(`round ${r + 1}/${ROUNDS}: Vigie…`);
  const profiler = PROFILE && r === 0 ? await startProfile() : undefined;
  vigies.push(await load(appUrl, path.join(dir, `app-${r}.json`)));
  if (profiler) log(`profil du serveur sous charge : ${await profiler()}`);
}
await bare.close();
await app.close();
const median = (runs: Run[]) => [...runs].sort((a, b) => a.ok / a.seconds - b.ok / b.seconds)[Math.floor(runs.length / 2)] as Run;
const ceiling = median(ceilings);
const vigie = median(vigies);
const vigieTotal = vigies.reduce((n, v) => n + v.ok, 0);

const stored = Number((await sql<{ n: string }>`select count(*) as n from survey_responses`.execute(db)).rows[0]?.n ?? 0) - ceilingRows;
// The first read folds every waiting answer into the rollups: timed, it is the price moved off the answer path.
const foldStart = performance.now();
const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
const figures = await satisfactionOf(db, network.id, { from: `${today.slice(0, 4)}-01-01`, to: today });
const foldMs = performance.now() - foldStart;
const rolled = figures.total.overall.answered;
if (stored !== vigieTotal || rolled !== stored)
  throw new Error(`Écart : ${vigieTotal} acceptées, ${stored} stockées, ${rolled} dans le cumul du réseau.`);

const rate = (r: { ok: number; seconds: number }) => r.ok / r.seconds;
const fmt = (x: number) => x.toLocaleString("fr-FR", { maximumFractionDigits: 0 });
process.stdout.write(
  `| mesure | réponses/s | réponses | échecs |
|---|---|---|---|
| plafond : route Fastify nue, un INSERT | ${fmt(rate(ceiling))} | ${ceiling.ok} | ${ceiling.failed} |
| Vigie : POST public (contrôles, limite, jeton, réponse + cumuls de 3 niveaux) | ${fmt(rate(vigie))} | ${vigie.ok} | ${vigie.failed} |
| **rapport** | **${Math.round((100 * rate(vigie)) / rate(ceiling))} %** | | |

Première lecture des résultats du réseau après la charge (report des ${stored} réponses dans les cumuls) : ${fmt(foldMs)} ms.

Médiane de ${ROUNDS} manches alternées (plafond puis Vigie) ; par manche, réponses/s : plafond ${ceilings.map((c) => fmt(rate(c))).join(" / ")}, Vigie ${vigies.map((v) => fmt(rate(v))).join(" / ")}.
PostgreSQL ${pgVersion}, ${cpus().length} cœurs (${cpus()[0]?.model ?? "?"}), ${CONCURRENCY} connexions, ${SECONDS} s par mesure, générateur de charge dans un autre processus.
`,
);
await database.close();
await admin.query(`drop schema if exists ${quoteIdent(SCHEMA)} cascade`);
await admin.end();
