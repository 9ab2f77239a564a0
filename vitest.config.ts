import { defineConfig } from "vitest/config";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "#jsx" },
  test: {
    include: ["src/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
    exclude: ["test/e2e/**", "node_modules/**"],
    // Each file opens its own database (an in-memory PGlite, or its own PostgreSQL schema).
    pool: "forks",
    // Two files at a time: most of a file's time is spent waiting on its database (PGlite's
    // WebAssembly, PostgreSQL, the SMTP/IMAP listeners), so a second fork keeps both cores busy.
    // VIGIE_TEST_WORKERS=1 gives back the former one-file-at-a-time run.
    poolOptions: { forks: { maxForks: Number(process.env.VIGIE_TEST_WORKERS ?? 2), minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
