import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MODULES } from "../src/app/modules.ts";
import { flashCodes } from "../src/ui/page.tsx";

/**
 * The shape docs/architecture.md promises (issue #18), checked on the sources themselves:
 * - the shared layers (src/kernel, src/ui, src/db) never import a module or the assembly, except types
 *   (the `DB` type is built from the owners' tables): modules build on them, not the other way round;
 * - the modules' imports form no cycle (a module that needs to be fed by others defines a contribution
 *   point, src/kernel/contributions.ts, and the others hand in through their description);
 * - nothing but the assembly (src/app) and the commands (src/cli) imports the assembly;
 * - every folder of src/modules is a module the server assembles, under its own name.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const SRC = path.join(ROOT, "src");

interface Edge {
  from: string;
  to: string;
  file: string;
  target: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [full] : [];
  });
}

/** The unit a file belongs to: a module's name, or one of the layers kernel, ui, db, app, cli. */
function unitOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel[0] === "modules" ? `modules/${rel[1]}` : (rel[0] ?? "");
}

const IMPORT =
  /^\s*(import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/gm;

/** The relative imports of a source text that cross units, `import type` (and `export type`) told apart. */
function edgesOf(file: string, text: string): Edge[] {
  const edges: Edge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4];
    if (!spec) continue;
    const target = path.normalize(path.join(path.dirname(file), spec));
    const from = unitOf(file);
    const to = unitOf(target);
    if (from !== to)
      edges.push({ from, to, file: path.relative(ROOT, file), target: path.relative(ROOT, target), typeOnly: Boolean(m[2]) });
  }
  return edges;
}

/** The cycles of a graph (its strongly connected components of more than one unit), by Tarjan's algorithm. */
function cyclesOf(edges: Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return found;
}

const edges = sourceFiles(SRC).flatMap((file) => edgesOf(file, readFileSync(file, "utf8")));
const explain = (list: Edge[]) => list.map((e) => `${e.file} → ${e.target}${e.typeOnly ? " (type)" : ""}`);

describe("the module graph", () => {
  it("finds cycles and tells type imports apart (the checker itself)", () => {
    const file = path.join(SRC, "modules/a/a.service.ts");
    const text = `import { b } from "../b/b.service.ts";\nimport type { K } from "../../kernel/k.ts";\nexport { c } from "../c/c.ts";`;
    const found = edgesOf(file, text);
    expect(found.map((e) => [e.to, e.typeOnly])).toEqual([
      ["modules/b", false],
      ["kernel", true],
      ["modules/c", false],
    ]);
    const back = edgesOf(path.join(SRC, "modules/c/c.ts"), `import { a } from "../a/a.service.ts";`);
    expect(cyclesOf([...found, ...back])).toEqual([["modules/a", "modules/c"]]);
    expect(cyclesOf(found)).toEqual([]);
  });

  it("has no cycle between modules", () => {
    const between = edges.filter((e) => e.from.startsWith("modules/") && e.to.startsWith("modules/"));
    const cycles = cyclesOf(between);
    const detail = cycles.map((c) => ({ cycle: c, imports: explain(between.filter((e) => c.includes(e.from) && c.includes(e.to))) }));
    expect(detail).toEqual([]);
  });

  it("keeps the shared layers (kernel, ui, db) below the modules: they import no module except its types", () => {
    const upward = edges.filter((e) => ["kernel", "ui", "db"].includes(e.from) && !["kernel", "ui", "db"].includes(e.to) && !e.typeOnly);
    expect(explain(upward)).toEqual([]);
  });

  it("leaves the assembly (src/app) and the commands (src/cli) to the entry points", () => {
    const intoAssembly = edges.filter((e) => (e.to === "app" || e.to === "cli") && e.from !== "app" && e.from !== "cli");
    expect(explain(intoAssembly)).toEqual([]);
  });

  it("assembles every folder of src/modules, each under its own name, from its own description", () => {
    const folders = readdirSync(path.join(SRC, "modules")).filter((name) => statSync(path.join(SRC, "modules", name)).isDirectory());
    expect(MODULES.map((m) => m.name).sort()).toEqual(folders.sort());
    for (const name of folders) {
      const description = readFileSync(path.join(SRC, "modules", name, `${name}.module.ts`), "utf8");
      expect(description, name).toContain(`name: "${name}"`);
    }
  });

  it("has a message for every flash code a route redirects with", () => {
    const used = new Set<string>();
    for (const file of sourceFiles(SRC)) {
      for (const m of readFileSync(file, "utf8").matchAll(/[?&]ok=([a-z_]+(?:\.[a-z_]+)?)\b/g))
        if (m[1]?.includes(".") || m[1] === "welcome") used.add(m[1]);
    }
    const known = new Set(flashCodes());
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((code) => !known.has(code))).toEqual([]);
  });

  // Issue #18: a route function registers a feature's routes, each handler parsing, calling a service and
  // rendering; past 80 lines it mixes features. The split ones say what each group serves.
  it("keeps route functions short: none over 80 lines", () => {
    const found = new Map<string, number>();
    let measured = 0;
    for (const file of sourceFiles(path.join(SRC, "modules")).filter((f) => /\.(routes\.tsx|api\.ts|pages\.tsx)$/.test(f))) {
      const lines = readFileSync(file, "utf8").split("\n");
      let start = -1;
      let name = "";
      lines.forEach((line, i) => {
        const m = /^(?:export )?(?:async )?function ([A-Za-z]+)\(/.exec(line);
        if (m?.[1]) {
          start = i;
          name = m[1];
        } else if (line === "}" && start >= 0) {
          const length = i - start + 1;
          measured += 1;
          if (length > 80) found.set(`${path.relative(ROOT, file)} ${name}`, length);
          start = -1;
        }
      });
    }
    // The checker itself: it did measure the route files' functions.
    expect(measured).toBeGreaterThan(100);
    expect([...found].map(([key, length]) => `${key}: ${length} lignes`)).toEqual([]);
  });
});
