/**
 * The net is proven, not assumed (issue #19, point 6): for each scope we know how to break, this
 * script breaks it on purpose in a copy of the code and runs the cross-tenant matrix there, which
 * must FAIL and name what it saw (« FUITE » and B's marker, or « a modifié B »). The copy lives in a temporary folder (src, test, data and
 * the configuration, with node_modules linked), one copy per break, two at a time: the working tree
 * is never touched.
 *
 *   npx tsx test/mutation/run.ts            (run by .ci/run after the tests; about a minute)
 *
 * Exit code 0 when every break was caught, 1 when one went unnoticed or a patch no longer applies
 * (the code it targets moved: update the `find` text below, do not drop the break).
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

interface Mutant {
  name: string;
  file: string;
  find: string;
  replace: string;
  /** What the failing matrix must say: the leak it saw, or B's rows it found changed. */
  caught: string;
}

const MUTANTS: Mutant[] = [
  {
    name: "une demande lue sans org_id",
    file: "src/modules/requests/requests.repository.ts",
    find: `.where("org_id", "=", orgId).where("id", "=", requestId).executeTakeFirst();`,
    replace: `.where("id", "=", requestId).executeTakeFirst();`,
    caught: "FUITE",
  },
  {
    name: "le journal d'audit sans périmètre",
    file: "src/modules/audit/audit.repository.ts",
    find: "if (query.reachRoots !== null) q = q.where(",
    replace: "if (query.reachRoots === undefined) q = q.where(",
    caught: "FUITE",
  },
  {
    name: "la liste des comptes sans périmètre",
    file: "src/modules/accounts/accounts.repository.ts",
    find: "if (roots !== null) {",
    replace: "if (roots === undefined) {",
    caught: "FUITE",
  },
  {
    // A write that reaches B through an id in its body: B's rows change.
    name: "un rôle donné sur une organisation hors de portée",
    file: "src/modules/accounts/accounts.service.ts",
    find: "addGrant(db: Kysely<DB>, actor: Actor, accountId: string, input: GrantInput): Promise<void> {\n  await getAccount(db, actor, accountId);\n  await requireManagedOrg(db, actor, input.orgId);\n",
    replace:
      "addGrant(db: Kysely<DB>, actor: Actor, accountId: string, input: GrantInput): Promise<void> {\n  await getAccount(db, actor, accountId);\n",
    caught: "a modifié B",
  },
];

const TEST = "test/cross-tenant.test.ts";
/** One failure line of the runner's diff, without its « + » and cut to a readable length. */
const shorten = (line: string) =>
  line
    .trim()
    .replace(/^\+\s*/, "")
    .slice(0, 400);
const repo = resolve(import.meta.dirname, "../..");
const vitest = join(repo, "node_modules", "vitest", "vitest.mjs");
/** Two breaks at a time: the CI machine has two cores, and each run is one process. */
const PARALLEL = 2;
// The embedded engine: each run is independent and needs no server.
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
delete env.VIGIE_TEST_DATABASE_URL;
delete env.FORCE_COLOR;

/** Breaks one scope in its own copy of the code, runs the matrix there; the report lines, and whether it was caught. */
async function tryMutant(mutant: Mutant): Promise<{ caught: boolean; lines: string[] }> {
  const copy = mkdtempSync(join(tmpdir(), "vigie-mutation-"));
  try {
    // Only the reference data of data/: the test passes running beside this one write and remove their own
    // folders there (data/test-compiled-…), and copying one as it vanishes failed the run (ENOENT).
    const ownData = (src: string) => !/[\\/]data[\\/]test-[^\\/]*([\\/]|$)/.test(src);
    for (const part of ["src", "test", "data", "package.json", "tsconfig.json", "vitest.config.ts"]) {
      cpSync(join(repo, part), join(copy, part), { recursive: true, filter: ownData });
    }
    symlinkSync(realpathSync(join(repo, "node_modules")), join(copy, "node_modules"));
    const path = join(copy, mutant.file);
    const original = readFileSync(path, "utf8");
    const count = original.split(mutant.find).length - 1;
    if (count !== 1) {
      return {
        caught: false,
        lines: [
          `✗ ${mutant.name} : le texte à casser apparaît ${count} fois dans ${mutant.file} (attendu 1). Mettez à jour test/mutation/run.ts.`,
        ],
      };
    }
    writeFileSync(path, original.replace(mutant.find, mutant.replace));
    const t0 = Date.now();
    const run = await new Promise<{ status: number | null; output: string }>((done) => {
      const child = spawn(process.execPath, [vitest, "run", TEST], { cwd: copy, env });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.on("close", (status) => done({ status, output }));
    });
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the colours of the test runner's output.
    const output = run.output.replace(/\u001b\[[0-9;]*m/g, "");
    const seen = output.split("\n").filter((line) => line.includes(mutant.caught));
    if (run.status !== 0 && seen.length > 0) {
      return {
        caught: true,
        lines: [
          `✓ ${mutant.name} : la matrice échoue (${seconds} s), ${seen.length} ligne(s) « ${mutant.caught} », dont :`,
          ...seen.slice(0, 3).map((line) => `    ${shorten(line)}`),
        ],
      };
    }
    return {
      caught: false,
      lines: [
        run.status === 0
          ? `✗ ${mutant.name} : la matrice PASSE avec cette brèche (${seconds} s) : elle ne la voit pas.`
          : `✗ ${mutant.name} : la matrice échoue (${seconds} s) sans dire « ${mutant.caught} » : elle a échoué pour une autre raison.\n${output.slice(-3000)}`,
      ],
    };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const started = Date.now();
const queue = [...MUTANTS];
let failed = false;
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    for (let mutant = queue.shift(); mutant; mutant = queue.shift()) {
      const result = await tryMutant(mutant);
      if (!result.caught) failed = true;
      (result.caught ? console.log : console.error)(result.lines.join("\n"));
    }
  }),
);
console.log(`${failed ? "ÉCHEC" : "OK"} : ${MUTANTS.length} brèches, ${((Date.now() - started) / 1000).toFixed(1)} s au total.`);
process.exit(failed ? 1 : 0);
