import { defineConfig } from "vitest/config";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "#jsx" },
  test: {
    include: ["test/e2e/**/*.test.{ts,tsx}"],
    pool: "forks",
    // Builds once the migrated embedded database every file starts from (see the file for why).
    globalSetup: ["test/support/pglite-template.ts"],
    // The modules assembled in each file, as every process of Vigie does at start (src/app/modules.ts).
    setupFiles: ["test/support/assemble.ts"],
    // One browser at a time: the machine has two cores.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
