/**
 * One entry for every benchmark:
 *
 *   npm run bench -- <name> [--sites N] [--rounds R] [--fresh] [--url postgres://…]
 *
 * Figures of issue #13 (each against its ceiling, in the same run, on the network of bench/network/dataset.ts):
 *   dashboard      network dashboard p50                        (bench/dashboards/)
 *   compare        comparison of a department's sites and of the network (bench/dashboards/)
 *   publication    public page of a site p50, over HTTP          (bench/publication/)
 *   calls          call import rows/s                            (bench/calls/)
 *   requests       request registration, 16 clients             (bench/requests/)
 *   register       register import of 10,000 rows               (bench/requests/)
 *   surveys        survey answer GET + POST over HTTP, fold counted (bench/surveys/)
 *   all            all of the above, one after the other, on the same network
 *   dataset        only builds (or checks) the network, and says how long it took
 * Older benches, run as they are (their own options after the name):
 *   calendar, mail, improvement, outage, startup (embedded start beside a bare Fastify, issue #17)
 *
 * Default size: 5,000 sites (the issue's network). `--sites 200` is the quick run. Prints Markdown for
 * docs/performance.md on stdout, progress on stderr.
 */
import { spawnSync } from "node:child_process";
import { sql } from "kysely";
import { assembleModules } from "../src/app/modules.ts";
import { callImportFigure } from "./calls/import.ts";
import { comparisonFigures, dashboardFigure } from "./dashboards/dashboard.ts";
import type { Figure } from "./harness.ts";
import { interleave, log, machine, markdownRow, type Outcome, TABLE_HEADER } from "./harness.ts";
import { defaultsFor, type Network, openNetwork } from "./network/dataset.ts";
import { publicPageFigure } from "./publication/public-page.ts";
import { registerImportFigure } from "./requests/register-import.ts";
import { registrationFigure } from "./requests/registration.ts";
import { surveyAnswerFigure } from "./surveys/answer.ts";

// The modules' contributions (indicator sources, digest sections…), as the server has them.
assembleModules();

const LEGACY: Record<string, string[]> = {
  calendar: ["bench/calendar/due-dates.ts"],
  mail: ["bench/mail/states.ts"],
  improvement: ["bench/improvement/run.ts"],
  outage: ["bench/outage/freeze.mts"],
  startup: ["bench/startup/startup.ts"],
};

type Maker = (network: Network, options: Options) => Promise<Figure[]>;
const FIGURES: Record<string, Maker> = {
  dashboard: async (n, o) => [dashboardFigure(n, o)],
  compare: async (n, o) => comparisonFigures(n, o),
  publication: async (n, o) => [await publicPageFigure(n, o)],
  calls: async (n, o) => [await callImportFigure(n, o)],
  requests: async (n, o) => [registrationFigure(n, o)],
  register: async (n, o) => [await registerImportFigure(n, o)],
  surveys: async (n, o) => [await surveyAnswerFigure(n, o)],
};

export interface Options {
  sites: number;
  rounds: number;
  url: string;
  fresh: boolean;
  /** Seconds of load per side of a round, for the throughput figures. */
  seconds: number;
}

function parse(argv: string[]): { name: string; options: Options; rest: string[] } {
  const [name = "", ...rest] = argv;
  const options: Options = { sites: 5_000, rounds: 5, url: "postgres://postgres@127.0.0.1:5432/test", fresh: false, seconds: 5 };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "--fresh") options.fresh = true;
    else if (arg === "--sites") options.sites = Number(rest[++i]);
    else if (arg === "--rounds") options.rounds = Number(rest[++i]);
    else if (arg === "--seconds") options.seconds = Number(rest[++i]);
    else if (arg === "--url") options.url = rest[++i] ?? options.url;
    else if (!(name in LEGACY)) throw new Error(`Option inconnue : ${arg}`);
  }
  if (!Number.isInteger(options.sites) || options.sites < 96) throw new Error("--sites : au moins 96 (un site par département).");
  if (!Number.isInteger(options.rounds) || options.rounds < 5) throw new Error("--rounds : au moins 5.");
  return { name, options, rest };
}

async function main() {
  const { name, options, rest } = parse(process.argv.slice(2));
  const legacy = LEGACY[name];
  if (legacy) {
    const run = spawnSync(process.execPath, ["--import", "tsx", ...legacy, ...rest], { stdio: "inherit" });
    process.exit(run.status ?? 1);
  }
  const names = name === "all" ? Object.keys(FIGURES) : name === "dataset" ? [] : [name];
  if (name !== "dataset" && !names.every((n) => n in FIGURES))
    throw new Error(
      `Banc inconnu : « ${name} ». Bancs : ${[...Object.keys(FIGURES), "all", "dataset", ...Object.keys(LEGACY)].join(", ")}.`,
    );
  const started = new Date();
  const network = await openNetwork({ url: options.url, fresh: options.fresh, ...defaultsFor(options.sites) });
  const outcomes: Outcome[] = [];
  try {
    const version = (await sql<{ server_version: string }>`show server_version`.execute(network.db)).rows[0]?.server_version ?? "?";
    for (const n of names) {
      const figures = await (FIGURES[n] as Maker)(network, options);
      for (const figure of figures) {
        try {
          outcomes.push(await interleave(figure, options.rounds));
        } finally {
          await figure.close?.();
        }
      }
    }
    const b = network.build;
    const fr = (x: number) => x.toLocaleString("fr-FR");
    process.stdout.write(`Commande : \`npm run bench -- ${process.argv.slice(2).join(" ")}\` — ${machine()} ; PostgreSQL ${version} ; ${started.toISOString().slice(0, 16).replace("T", " ")} UTC, ${((Date.now() - started.getTime()) / 60000).toFixed(1)} min.

Réseau (schéma \`${network.schema}\`, ${b.reused ? "réutilisé, construit auparavant en" : "construit en"} ${b.seconds.total?.toFixed(0)} s : ${Object.entries(
      b.seconds,
    )
      .filter(([k]) => k !== "total")
      .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
      .join(", ")}) : ${Object.entries(b.rows)
      .map(([k, v]) => `${k} ${fr(v)}`)
      .join(", ")}.

`);
    if (outcomes.length) {
      process.stdout.write(`${TABLE_HEADER}\n${outcomes.map(markdownRow).join("\n")}\n\n`);
      for (const o of outcomes)
        process.stdout.write(
          `- ${o.label} — rapports par manche : ${o.rounds.map((r) => (o.direction === "latency" ? `${r.ratio.toFixed(2)}×` : `${Math.round(r.ratio * 100)} %`)).join(", ")}\n`,
        );
    }
  } finally {
    await network.database.close();
  }
  log("fini");
}

await main();
