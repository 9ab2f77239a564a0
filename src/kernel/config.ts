import path from "node:path";

export type Theme = "etat" | "neutre";

export interface Config {
  host: string;
  port: number;
  /** postgres://… selects a PostgreSQL server; empty means the embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  /**
   * PostgreSQL only: a streaming replica (hot standby) for the pages that only read and may show figures a few
   * seconds old (dashboards, comparison, public pages, open data, annual review). Empty: everything reads the primary.
   */
  databaseReadUrl: string | undefined;
  /** PostgreSQL schema to work in (tests give each run its own). */
  databaseSchema: string | undefined;
  /** PostgreSQL: how long to wait for a connection before answering « service momentanément indisponible ». */
  databaseConnectTimeoutMs: number;
  /** PostgreSQL: the longest a request's statement may run (long imports lift it for their own transaction). */
  databaseStatementTimeoutMs: number;
  dataDir: string;
  theme: Theme;
  /** Name shown in the header when the theme is `neutre`. */
  brandName: string;
  baseUrl: string;
  cookieSecure: boolean;
  logLevel: string;
  /**
   * Which proxies to believe about the client's address (X-Forwarded-For): false (none, the
   * default), true, or their addresses. Believing everyone would let any client pick its own
   * address and walk past the rate limits.
   */
  trustProxy: boolean | string;
  /** Where backups are written (the embedded engine's nightly one, and `npm run backup` by default). */
  backupDir: string;
  /** How many nightly backups of the embedded engine are kept. */
  backupKeep: number;
}

function intFrom(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** TRUST_PROXY: "true", or the proxies' addresses separated by commas (e.g. "127.0.0.1,10.0.0.0/8"). */
function parseTrustProxy(value: string | undefined): boolean | string {
  if (!value || value === "false") return false;
  return value === "true" ? true : value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = intFrom(env.PORT, 3000);
  const theme: Theme = env.VIGIE_THEME === "etat" ? "etat" : "neutre";
  const baseUrl = env.BASE_URL ?? `http://localhost:${port}`;
  const dataDir = path.resolve(env.DATA_DIR ?? "data");
  return {
    host: env.HOST ?? "127.0.0.1",
    port,
    databaseUrl: env.DATABASE_URL || undefined,
    databaseReadUrl: env.DATABASE_READ_URL || undefined,
    databaseSchema: env.DATABASE_SCHEMA || undefined,
    databaseConnectTimeoutMs: intFrom(env.DATABASE_CONNECT_TIMEOUT_MS, 5_000),
    databaseStatementTimeoutMs: intFrom(env.DATABASE_STATEMENT_TIMEOUT_MS, 30_000),
    dataDir,
    theme,
    brandName: env.VIGIE_BRAND_NAME ?? "Vigie",
    baseUrl,
    // Browsers accept Secure cookies on http://localhost, so the safe default holds in development too.
    cookieSecure: env.COOKIE_SECURE !== "false",
    logLevel: env.LOG_LEVEL ?? "info",
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    backupDir: path.resolve(env.BACKUP_DIR ?? path.join(dataDir, "sauvegardes")),
    backupKeep: intFrom(env.BACKUP_KEEP, 14),
  };
}
