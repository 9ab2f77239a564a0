import { defineConfig } from "vitest/config";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "#jsx" },
  test: {
    include: ["src/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
    exclude: ["test/e2e/**", "node_modules/**"],
    // Each file opens its own database (an in-memory PGlite, or its own PostgreSQL schema).
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
