// Compiles the server once, ahead of its start, so `npm start` runs JavaScript instead of transpiling
// hundreds of TypeScript files through tsx at every start (issue #17, point 6: restart < 2 s).
// Plain JavaScript run by node itself: it must work before anything is compiled.
//
// One bundle of our own code (dist/), packages left to node_modules (`packages: "external"`), dynamic
// imports kept as separate chunks so what a page loads on first use stays out of the start. Skipped
// when dist/ is newer than every source, so a restart pays nothing. Tests keep running the sources.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// `--outdir DIR`: elsewhere than dist/ (the test that starts the compiled server builds into a temporary folder).
const outdirAt = process.argv.indexOf("--outdir");
const outdir = outdirAt > 0 ? path.resolve(process.argv[outdirAt + 1]) : path.join(root, "dist");
const stamp = path.join(outdir, ".built");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function upToDate() {
  try {
    const built = statSync(stamp).mtimeMs;
    const sources = Math.max(
      newestSource(path.join(root, "src")),
      statSync(path.join(root, "package.json")).mtimeMs,
      statSync(fileURLToPath(import.meta.url)).mtimeMs,
    );
    return built > sources;
  } catch {
    return false;
  }
}

if (process.argv.includes("--force") || !upToDate()) {
  const started = performance.now();
  // Chunk names carry a hash: old ones would pile up.
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { main: path.join(root, "src/app/main.ts"), "build-template": path.join(root, "src/cli/build-template.ts") },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    packages: "external",
    jsx: "automatic",
    jsxImportSource: "#jsx",
    sourcemap: "linked",
    logLevel: "warning",
    banner: { js: "// Built by scripts/build.mjs from src/: do not edit." },
    plugins: [sourceLocation()],
  });
  // The dump a fresh embedded folder starts from (src/db/embedded-template.ts): once per build, by the
  // compiled code itself, so it holds exactly the migrations and reference data of this version.
  const made = spawnSync(process.execPath, ["--liftoff-only", path.join(outdir, "build-template.js"), outdir], { stdio: "inherit" });
  if (made.status !== 0) throw new Error("le modèle de base embarquée n'a pas pu être écrit");
  writeFileSync(stamp, new Date().toISOString());
  console.error(`Vigie compilé dans dist/ en ${Math.round(performance.now() - started)} ms`);
}

/**
 * Bundled, every module would see the bundle's own `import.meta.url`; several read files beside their
 * source (data/, static CSS, the kiosk script, the spreadsheet worker). Each module keeps the URL of its
 * source file, written relative to dist/ so the tree can move after the build.
 */
function sourceLocation() {
  return {
    name: "source-location",
    setup(b) {
      b.onLoad({ filter: /[\\/]src[\\/].*\.tsx?$/ }, (args) => {
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        const relative = path.relative(outdir, args.path).split(path.sep).join("/");
        const url = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
        return { contents: text.replaceAll("import.meta.url", url), loader: args.path.endsWith("x") ? "tsx" : "ts" };
      });
    },
  };
}
