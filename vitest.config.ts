import { defineConfig } from "vitest/config";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "#jsx" },
  test: {
    include: ["src/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
    exclude: ["test/e2e/**", "node_modules/**"],
    // Each file opens its own database (an in-memory PGlite, or its own PostgreSQL schema).
    pool: "forks",
    // Builds once the migrated embedded database every file starts from (see the file for why).
    globalSetup: ["test/support/pglite-template.ts"],
    // The modules assembled in each file, as every process of Vigie does at start (src/app/modules.ts).
    setupFiles: ["test/support/assemble.ts"],
    // One file at a time unless VIGIE_TEST_WORKERS says more: a run with 2 had failures on a loaded
    // machine (20:19 to 21:00 on 4 December 2026) whose cause is not yet known.
    poolOptions: { forks: { maxForks: Number(process.env.VIGIE_TEST_WORKERS ?? 1), minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
