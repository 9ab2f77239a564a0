import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../src/app/server.ts";
import { openMigratedDatabase, untilDatabaseReachable } from "../src/app/start.ts";
import type { Database } from "../src/db/database.ts";
import { loadConfig } from "../src/kernel/config.ts";
import type { App } from "../src/kernel/context.ts";
import { createInstanceAdmin } from "../src/modules/accounts/accounts.service.ts";
import { startWorker, type Worker } from "../src/modules/jobs/worker.ts";
import { ADMIN } from "./support/app.ts";
import { TEST_DATABASE_URL } from "./support/database.ts";
import { type PostgresInstance, postgresBinaries, startPostgresInstance } from "./support/postgres-instance.ts";

// A PostgreSQL server is stopped and started here: the embedded engine has no such outage. The
// throw-away server is our own, the shared test server is never touched.
const why = !TEST_DATABASE_URL
  ? "VIGIE_TEST_DATABASE_URL n'est pas défini (exécution sur PGlite)"
  : !postgresBinaries()
    ? "aucun PostgreSQL sous /usr/lib/postgresql/*/bin"
    : undefined;
if (why) console.log(`test/outage.test.ts ignoré : ${why}.`);

interface Answer {
  status: number;
  text: string;
  ms: number;
  headers: Headers;
}

/** A browser over a real socket: keeps its cookies, reads the CSRF token of the forms it was served. */
class HttpClient {
  private cookies = new Map<string, string>();
  csrf = "";
  constructor(private readonly base: string) {}

  async send(method: string, url: string, body?: { form?: Record<string, string>; json?: unknown }): Promise<Answer> {
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") };
    let payload: string | undefined;
    if (body?.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      payload = new URLSearchParams(body.form).toString();
    } else if (body?.json !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body.json);
    }
    const started = performance.now();
    const response = await fetch(this.base + url, {
      method,
      headers,
      body: payload,
      redirect: "manual",
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(";")[0] ?? "";
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      if (value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrf = token;
    return { status: response.status, text, ms, headers: response.headers };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

describe.skipIf(why !== undefined)("a PostgreSQL outage under load", () => {
  let pg: PostgresInstance;
  let database: Database;
  let app: App;
  let worker: Worker;
  let base: string;
  let orgId: string;
  const workerErrors: string[] = [];
  const config = () =>
    loadConfig({ DATABASE_URL: pg.url, DATA_DIR: "/nonexistent", COOKIE_SECURE: "false", DATABASE_CONNECT_TIMEOUT_MS: "2000" });

  beforeAll(async () => {
    pg = await startPostgresInstance();
    database = await openMigratedDatabase(config(), "test");
    app = await buildServer({ db: database.db, config: config() });
    await app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await createInstanceAdmin(database.db, ADMIN);
    worker = startWorker({
      db: database.db,
      intervalMs: 100,
      log: { info() {}, warn() {}, error: (_obj, msg) => workerErrors.push(msg ?? "") },
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await app?.close();
    await database?.close();
    await pg?.destroy();
  });

  async function signedInAdmin(): Promise<HttpClient> {
    const admin = new HttpClient(base);
    // The connection timeout is 2 s so the outage shows quickly; on a loaded machine (CI runs both
    // engine passes side by side) a first connection to the fresh server may take longer and the page
    // answers 503, without a form to sign in with. Setting up is not what this test checks: ask again.
    let page = await admin.send("GET", "/login");
    for (let tries = 0; page.status === 503 && tries < 20; tries++) {
      await sleep(500);
      page = await admin.send("GET", "/login");
    }
    expect(page.status, page.text.slice(0, 400)).toBe(200);
    const login = await admin.send("POST", "/login", { form: { _csrf: admin.csrf, email: ADMIN.email, password: ADMIN.password } });
    expect(login.status, login.text.slice(0, 400)).toBe(303);
    return admin;
  }

  it("answers 503 « Service momentanément indisponible » while it is down, stays alive, and recovers by itself", async () => {
    const admin = await signedInAdmin();
    const created = await admin.send("POST", "/api/v1/organisations", {
      json: { name: "Mairie d'Arles", kind: "site", timeZone: "Europe/Paris", holidayZone: "metropole" },
    });
    expect(created.status).toBe(201);
    orgId = JSON.parse(created.text).id;
    const visitor = new HttpClient(base);
    const read = `/api/v1/organisations/${orgId}/requests`;

    // The load: two visitors of the login page and two signed-in API readers, without pause, through
    // the stop and the start; bounded so a server that never answers cannot hang the test.
    type Phase = "up" | "stopping" | "down" | "starting" | "back";
    let phase = "up" as Phase;
    const answers: { phase: Phase; ended: Phase; url: string; status: number; ms: number; text: string }[] = [];
    let stopLoad = false;
    const loader = async (client: HttpClient, url: string) => {
      for (let i = 0; i < 3_000 && !stopLoad; i++) {
        const at = phase;
        const answer = await client.send("GET", url);
        answers.push({ phase: at, ended: phase, url, status: answer.status, ms: answer.ms, text: answer.text });
        await sleep(5);
      }
    };
    const load = Promise.all([loader(visitor, "/login"), loader(new HttpClient(base), "/login"), loader(admin, read), loader(admin, read)]);
    await sleep(500);

    phase = "stopping";
    await pg.stop("immediate");
    phase = "down";
    await sleep(2_000);

    const page = await visitor.send("GET", "/login");
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("5");
    expect(page.text).toContain('<html lang="fr"');
    expect(page.text).toContain("<h1>Service momentanément indisponible</h1>");
    expect(page.text).toContain("la base de données ne répond pas");
    expect(page.text).not.toContain("Erreur interne");
    const api = await admin.send("GET", read);
    expect(api.status).toBe(503);
    expect(JSON.parse(api.text)).toMatchObject({
      code: "db.unavailable",
      error: expect.stringContaining("Service momentanément indisponible"),
    });
    const ready = await visitor.send("GET", "/health/ready");
    expect([ready.status, JSON.parse(ready.text)]).toEqual([503, { status: "indisponible" }]);
    const live = await visitor.send("GET", "/health/live");
    expect([live.status, JSON.parse(live.text)]).toEqual([200, { status: "ok" }]);

    phase = "starting";
    const startCalled = performance.now();
    await pg.start();
    const startReturned = performance.now();
    phase = "back";
    // Back within a few seconds, without a restart of Vigie: the page, the API and a write.
    let firstOk = Number.NaN;
    for (let i = 0; i < 100; i++) {
      const [p, a] = await Promise.all([visitor.send("GET", "/login"), admin.send("GET", read)]);
      if (p.status === 200 && a.status === 200) {
        firstOk = performance.now();
        break;
      }
      await sleep(50);
    }
    expect(firstOk - startReturned).toBeLessThan(5_000);
    stopLoad = true;
    await load;

    const written = await admin.send("POST", "/api/v1/organisations", {
      json: { name: "Mairie de Nîmes", kind: "site", timeZone: "Europe/Paris", holidayZone: "metropole" },
    });
    expect(written.status).toBe(201);
    expect((await visitor.send("GET", "/health/ready")).status).toBe(200);

    // Never a 500, whatever the moment: before, during and after the outage.
    expect(answers.filter((a) => a.status !== 200 && a.status !== 503)).toEqual([]);
    const down = answers.filter((a) => a.phase === "down");
    expect(down.length).toBeGreaterThan(20);
    expect(down.every((a) => a.status === 503)).toBe(true);
    expect(down.filter((a) => a.url === "/login").every((a) => a.text.includes("Service momentanément indisponible"))).toBe(true);
    // Before the stop, everything worked (a request in flight when the server was killed may get its 503).
    expect(answers.filter((a) => a.ended === "up").every((a) => a.status === 200)).toBe(true);
    // The job worker kept polling through the outage: it logged its failed passes, and none escaped.
    expect(workerErrors).toContain("file de tâches : passage interrompu");

    const waits = down.map((a) => a.ms);
    console.log(
      `Panne PostgreSQL (arrêt -m immediate), ${answers.length} requêtes : pendant la panne ${down.length} réponses 503, ` +
        `attente médiane ${median(waits).toFixed(1)} ms, maximale ${Math.max(...waits).toFixed(1)} ms ; ` +
        `pg_ctl start a pris ${(startReturned - startCalled).toFixed(0)} ms, premières réponses 200 ${(firstOk - startReturned).toFixed(0)} ms après.`,
    );
  }, 120_000);

  it("waits at start-up while the database is down and opens it once it is back", async () => {
    await pg.stop("fast");
    const messages: string[] = [];
    let opened: Database | undefined;
    const started = performance.now();
    const opening = untilDatabaseReachable(() => openMigratedDatabase(config(), "test"), {
      firstDelayMs: 100,
      maxDelayMs: 400,
      log: (message) => messages.push(message),
    }).then((database) => {
      opened = database;
      return database;
    });
    await sleep(1_500);
    expect(opened).toBeUndefined();
    expect(messages.length).toBeGreaterThanOrEqual(3);
    expect(messages[0]).toMatch(/^Base de données injoignable \(.+\), nouvel essai dans 0,1 s$/);
    expect(messages.at(-1)).toMatch(/nouvel essai dans 0,4 s$/);

    const startCalled = performance.now();
    await pg.start();
    const database = await opening;
    const ready = performance.now();
    try {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from accounts`.execute(database.db);
      expect(rows[0]?.n).toBe(1);
    } finally {
      await database.close();
    }
    console.log(
      `Démarrage pendant la panne : ${messages.length} essais en ${((startCalled - started) / 1000).toFixed(1)} s, ` +
        `base ouverte et à jour ${(ready - startCalled).toFixed(0)} ms après l'appel à pg_ctl start.`,
    );
  }, 60_000);
});
