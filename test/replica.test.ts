import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildServer } from "../src/app/server.ts";
import { openMigratedDatabase, openReadDatabase } from "../src/app/start.ts";
import { type Database, openDatabase } from "../src/db/database.ts";
import { loadConfig } from "../src/kernel/config.ts";
import type { App } from "../src/kernel/context.ts";
import { createInstanceAdmin } from "../src/modules/accounts/accounts.service.ts";
import { ADMIN, Client } from "./support/app.ts";
import {
  type PostgresInstance,
  pauseReplay,
  postgresBinaries,
  startPostgresInstance,
  startStandby,
  untilReplayed,
  untilStreaming,
} from "./support/postgres-instance.ts";

// A real streaming replica: a primary and a hot standby made by pg_basebackup, both throw-away servers of our
// own (Debian's binaries), whatever engine the rest of the suite runs on.
const bin = postgresBinaries();
// The replica is a PostgreSQL feature with servers of its own: it runs in the suite's PostgreSQL pass only,
// not a second time in the embedded pass (CI runs both).
const why = !bin
  ? "aucun PostgreSQL sous /usr/lib/postgresql/*/bin (paquet Debian postgresql)"
  : !process.env.VIGIE_TEST_DATABASE_URL
    ? "la réplique se teste dans la passe PostgreSQL (VIGIE_TEST_DATABASE_URL)"
    : undefined;
if (why) console.log(`test/replica.test.ts ignoré : ${why}.`);

const today = () => new Date().toISOString().slice(0, 10);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Transactions committed on a server since it started (pg_stat_database of the database Vigie uses). */
async function commits(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Statistics are sent to the shared counters when a session's transaction ends: wait for the last ones.
    await client.query("select pg_stat_clear_snapshot()");
    const { rows } = await client.query<{ n: string }>(
      "select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()",
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

describe("DATABASE_READ_URL beside the embedded engine", () => {
  it("is refused at start-up with a French message, never ignored", async () => {
    const embedded = await openDatabase({});
    try {
      const config = loadConfig({ DATA_DIR: "/nonexistent", DATABASE_READ_URL: "postgres://postgres@127.0.0.1:1/x" });
      expect(() => openReadDatabase(config, embedded)).toThrow(
        "DATABASE_READ_URL demande PostgreSQL : définissez aussi DATABASE_URL, ou retirez DATABASE_READ_URL (base embarquée).",
      );
      // Without it, the read pages use the primary itself.
      expect(openReadDatabase(loadConfig({ DATA_DIR: "/nonexistent" }), embedded).readDb).toBe(embedded.db);
    } finally {
      await embedded.close();
    }
    // PGlite's start takes seconds on a busy machine.
  }, 90_000);
});

describe.skipIf(why !== undefined)("reads on a streaming replica (DATABASE_READ_URL)", () => {
  let primary: PostgresInstance;
  let standby: PostgresInstance;
  let database: Database;
  let reads: ReturnType<typeof openReadDatabase>;
  let app: App;
  let admin: Client;
  let site = "";
  const logged: string[] = [];

  beforeAll(async () => {
    primary = await startPostgresInstance();
    standby = await startStandby(primary);
    await untilStreaming(primary);
    const config = loadConfig({
      DATABASE_URL: primary.url,
      DATABASE_READ_URL: standby.url,
      DATA_DIR: "/nonexistent",
      COOKIE_SECURE: "false",
      DATABASE_CONNECT_TIMEOUT_MS: "2000",
    });
    database = await openMigratedDatabase(config, "test");
    // The replica's two log lines (down, back) go to the error output: collected here to count them.
    vi.spyOn(console, "error").mockImplementation((message: unknown) => {
      logged.push(String(message));
    });
    reads = openReadDatabase(config, database);
    app = await buildServer({ db: database.db, readDb: reads.readDb, config });
    await app.ready();
    await createInstanceAdmin(database.db, ADMIN);
    admin = new Client(app);
    await admin.login(ADMIN.email, ADMIN.password);
  }, 120_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await app?.close();
    await reads?.close();
    await database?.close();
    await standby?.destroy();
    await primary?.destroy();
  });

  /** A request received and answered today, then the publication recomputed: all on the primary, through the API. */
  async function answeredRequest(subject: string) {
    const created = await admin.api("POST", `/api/v1/organisations/${site}/requests`, {
      kind: "request",
      channel: "letter",
      receivedOn: today(),
      subject,
    });
    expect(created.statusCode).toBe(201);
    const { request } = created.json() as { request: { id: string; version: number } };
    const answered = await admin.api("POST", `/api/v1/organisations/${site}/requests/${request.id}/status`, {
      status: "answered",
      version: request.version,
    });
    expect(answered.statusCode).toBe(200);
    expect((await admin.api("POST", `/api/v1/organisations/${site}/publication`)).statusCode).toBe(200);
  }

  /** What a visitor reads on the public page: the number of requests received this year. */
  async function publicCount(): Promise<number | undefined> {
    const page = await new Client(app).get(`/public/organisations/${site}/results`);
    expect(page.statusCode).toBe(200);
    const match = /Demandes reçues\u00a0: <strong>(\d+)<\/strong>/.exec(page.body);
    return match ? Number(match[1]) : undefined;
  }

  /**
   * Requests received in the period, as the dashboard's API gives them. On the replica this page also meets a write:
   * the survey rollups fold their pending counts before any read, which the standby refuses (25006) and the primary
   * runs instead; without that fallback the dashboard would fail on the replica.
   */
  async function dashboardCount(): Promise<number | undefined> {
    const r = await admin.get(`/api/v1/organisations/${site}/dashboard?from=${today().slice(0, 4)}-01-01&to=${today()}`);
    expect(r.statusCode).toBe(200);
    const lines = (r.json() as { lines: Array<{ figures: Array<{ key: string; channel: string | null; value: number | null }> }> }).lines;
    return lines.flatMap((l) => l.figures).find((f) => f.key === "requests.received" && f.channel === null)?.value ?? undefined;
  }

  it("serves dashboards and public pages from the replica once it has replayed, and nothing else", async () => {
    const created = await admin.api("POST", "/api/v1/organisations", {
      name: "Mairie de Poissy",
      kind: "site",
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
    });
    expect(created.statusCode).toBe(201);
    site = (created.json() as { id: string }).id;
    await answeredRequest("Acte de naissance");
    await untilReplayed(primary, standby);
    expect(await publicCount()).toBe(1);
    expect(await dashboardCount()).toBe(1);

    // The proof that these pages read the replica: with its replay paused, a second request written and published
    // on the primary stays out of them, while the staff's own list (primary) shows it at once.
    await pauseReplay(standby, true);
    try {
      await answeredRequest("Passeport");
      const list = await admin.get(`/organisations/${site}/requests?queue=all`);
      expect(list.statusCode).toBe(200);
      expect(list.body).toContain("<td>Passeport</td>");
      expect(await publicCount()).toBe(1);
      expect(await dashboardCount()).toBe(1);
      for (const url of [`/public/organisations/${site}/widget`, `/api/v1/public/organisations/${site}/published-figures`]) {
        expect((await new Client(app).get(url)).statusCode).toBe(200);
      }
      // The other pages on the replica answer there too (the comparison, the annual review and its PDF).
      for (const url of [
        `/organisations/${site}/dashboard/compare`,
        `/organisations/${site}/review`,
        `/organisations/${site}/review.pdf`,
      ]) {
        expect((await admin.get(url)).statusCode, url).toBe(200);
      }

      // And the replica did the reading: its own count of transactions grows with the page views.
      const before = await commits(standby.url);
      for (let i = 0; i < 5; i++) await publicCount();
      // A backend sends its counts to the shared statistics when idle, at most once a second (PostgreSQL 15):
      // wait for them rather than guess a delay.
      let counted = 0;
      for (const started = Date.now(); Date.now() - started < 10_000; await sleep(250)) {
        counted = (await commits(standby.url)) - before;
        if (counted >= 5) break;
      }
      expect(counted).toBeGreaterThanOrEqual(5);
    } finally {
      await pauseReplay(standby, false);
    }
    await untilReplayed(primary, standby);
    expect(await publicCount()).toBe(2);
    expect(await dashboardCount()).toBe(2);

    const ready = await new Client(app).get("/health/ready");
    expect(ready.statusCode).toBe(200);
    const health = ready.json() as { status: string; replica: { status: string; lagSeconds: number } };
    expect(health.status).toBe("ok");
    expect(health.replica.status).toBe("ok");
    expect(health.replica.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(health.replica.lagSeconds).toBeLessThan(5);
  });

  it("keeps the public page up on the replica while the primary is down, and writes answer the French 503", async () => {
    await primary.stop("fast");
    try {
      expect(await publicCount()).toBe(2);
      const widget = await new Client(app).get(`/public/organisations/${site}/widget`);
      expect(widget.statusCode).toBe(200);
      expect(widget.body).toContain("Mairie de Poissy");

      const write = await new Client(app).post(`/login`, { email: ADMIN.email, password: ADMIN.password });
      expect(write.statusCode).toBe(503);
      expect(write.body).toContain("<h1>Service momentanément indisponible</h1>");
    } finally {
      await primary.start();
    }
    await untilStreaming(primary);
  });

  it("falls back to the primary when the replica stops, says so once, and goes back to it when it returns", async () => {
    logged.length = 0;
    await answeredRequest("Permis de construire");
    await standby.stop("fast");
    try {
      // Not replayed anywhere: only the primary knows the third request, so a 3 is read from the primary.
      for (let i = 0; i < 4; i++) expect(await publicCount()).toBe(3);
      expect(await dashboardCount()).toBe(3);
      const down = logged.filter((m) => m.startsWith("Réplique de lecture injoignable"));
      expect(down).toHaveLength(1);
      expect(down[0]).toContain("les tableaux de bord et pages publiques lisent la base principale jusqu'à son retour");

      const ready = await new Client(app).get("/health/ready");
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: "ok", replica: { status: "injoignable" } });
    } finally {
      await standby.start();
    }
    await untilStreaming(primary);
    await untilReplayed(primary, standby);
    // Reads try the replica again 5 s after its last failure.
    await sleep(5_200);
    const before = await commits(standby.url);
    expect(await publicCount()).toBe(3);
    await sleep(700);
    expect((await commits(standby.url)) - before).toBeGreaterThanOrEqual(1);
    expect(logged.filter((m) => m.startsWith("Réplique de lecture de nouveau joignable"))).toHaveLength(1);
  }, 60_000);
});
