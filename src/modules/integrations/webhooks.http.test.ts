import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import "../../app/modules.ts";
import { ADMIN, Client } from "../../../test/support/app.ts";
import { engineName, openTestDatabase, type TestDatabase } from "../../../test/support/database.ts";
import { plainSpaces } from "../../../test/support/typography.ts";
import { buildServer } from "../../app/server.ts";
import { loadConfig } from "../../kernel/config.ts";
import type { App } from "../../kernel/context.ts";
import { createInstanceAdmin } from "../accounts/accounts.service.ts";
import { enqueue, runDueJobs } from "../jobs/jobs.service.ts";
import { dailySchedules } from "../jobs/registry.ts";

const main = (html: string) => plainSpaces(html.slice(html.indexOf("<main"), html.indexOf("</main>")).replaceAll("&#39;", "'"));

interface Received {
  id: string;
  type: string;
  orgId: string;
  signatureOk: boolean;
}

/**
 * Webhooks against a receiver on loopback: signed, retried with backoff through the job queue, and
 * none lost when the server stops and starts again on the same database.
 */
describe(`webhooks (${engineName})`, () => {
  let database: TestDatabase;
  let app: App;
  let receiver: Server;
  let receiverUrl = "";
  let secret = "";
  /** What the receiver answers; every request it gets is recorded, whatever it answers. */
  let answer = 503;
  const received: Received[] = [];
  const overdueData = new Map<string, unknown>();
  const todayParis = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
  let network = "";
  let site = "";
  let endpointId = "";
  const config = loadConfig({ DATA_DIR: "/nonexistent" });
  const REQUEST = { kind: "request", channel: "phone", receivedOn: "2026-12-01", subject: "Carte d'identité" };

  async function admin(): Promise<Client> {
    const client = new Client(app);
    await client.login(ADMIN.email, ADMIN.password);
    return client;
  }

  async function drain(days: number) {
    // Far enough ahead that every retry is due: backoff is counted from the batch's clock.
    for (let i = 0; i < 10; i += 1) {
      const counts = await runDueJobs(database.db, { now: new Date(Date.now() + days * 86_400_000 + i * 3_600_000) });
      if (counts.done + counts.failed + counts.retried === 0) return;
    }
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        const header = String(req.headers["vigie-signature"] ?? "");
        const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
        const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
        const event = JSON.parse(body);
        received.push({ id: event.id, type: event.type, orgId: event.orgId, signatureOk: v1 === expected });
        if (event.type === "request.overdue") overdueData.set(event.id, event.data);
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/vigie`;
    database = await openTestDatabase();
    await createInstanceAdmin(database.db, ADMIN);
    app = await buildServer({ db: database.db, config });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await database.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it("refuses a bad address or no event, with a French message, and adds nothing", async () => {
    const c = await admin();
    const org = async (name: string, kind: string, parentId?: string) =>
      (await c.api("POST", "/api/v1/organisations", { name, kind, parentId, timeZone: "Europe/Paris", holidayZone: "metropole" })).json()
        .id as string;
    network = await org("Réseau Jura", "network");
    site = await org("Mairie de Dole", "site", network);
    await c.api("PUT", `/api/v1/organisations/${site}/framework`, { frameworkId: "marianne-2008" });
    await c.get(`/organisations/${network}/webhooks`);
    const bad = await c.post(`/organisations/${network}/webhooks`, { url: "ftp://exemple.fr", events: "request.registered" });
    expect(bad.statusCode).toBe(400);
    expect(main(bad.body)).toContain("commençant par https://");
    const none = await c.post(`/organisations/${network}/webhooks`, { url: receiverUrl });
    expect(none.statusCode).toBe(400);
    expect(main(none.body)).toContain("Cochez au moins un événement");
    expect(main((await c.get(`/organisations/${network}/webhooks`)).body)).toContain("Aucun point de réception");
  });

  it("delivers every event of the subtree, signed, across retries and a restart", async () => {
    const c = await admin();
    await c.get(`/organisations/${network}/webhooks`);
    const created = await c.post(`/organisations/${network}/webhooks`, {
      url: receiverUrl,
      events: ["request.registered", "request.answered"],
    });
    expect(created.statusCode, main(created.body)).toBe(201);
    secret = /id="new-secret">(whsec_[A-Za-z0-9_-]+)</.exec(created.body)?.[1] ?? "";
    expect(secret).not.toBe("");
    const list = await c.get(`/organisations/${network}/webhooks`);
    expect(list.body).not.toContain(secret);
    endpointId = /\/webhooks\/([0-9a-f-]{36})"/.exec(list.body)?.[1] ?? "";

    // Three requests on the site, below the network: the receiver is down (503) for the first round.
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const r = await c.api("POST", `/api/v1/organisations/${site}/requests`, { ...REQUEST, subject: `Demande ${i}` });
      expect(r.statusCode, r.body).toBe(201);
      ids.push(r.json().request.id);
    }
    const first = await runDueJobs(database.db);
    expect(first.retried).toBe(3);
    expect(received.length).toBe(3);
    const log = main((await c.get(`/organisations/${network}/webhooks/${endpointId}`)).body);
    expect(log).toContain("En attente");
    expect(log).toContain("503");
    expect(log).toContain("le destinataire a répondu 503");

    // The server stops with three deliveries waiting; another starts on the same database.
    await app.close();
    app = await buildServer({ db: database.db, config });
    await app.ready();
    answer = 200;
    const c2 = await admin();
    const r = await c2.api("POST", `/api/v1/organisations/${site}/requests`, { ...REQUEST, subject: "Après le redémarrage" });
    ids.push(r.json().request.id);
    const version = r.json().request.version;
    const answered = await c2.api("POST", `/api/v1/organisations/${site}/requests/${r.json().request.id}/status`, {
      status: "answered",
      version,
    });
    expect(answered.statusCode, answered.body).toBe(200);
    await drain(1);

    const delivered = received.filter((e) => e.signatureOk);
    expect(delivered.length).toBe(received.length);
    const byId = new Map<string, Received[]>();
    for (const e of received) byId.set(e.id, [...(byId.get(e.id) ?? []), e]);
    // Five events (four registrations, one answer), each arrived; a second arrival carries the same id.
    expect(byId.size).toBe(5);
    expect(received.filter((e) => e.type === "request.registered").length).toBeGreaterThanOrEqual(4);
    expect(received.filter((e) => e.type === "request.answered").length).toBe(1);
    expect(new Set(received.map((e) => e.orgId))).toEqual(new Set([site]));

    const page = main((await c2.get(`/organisations/${network}/webhooks/${endpointId}`)).body);
    expect(page).toContain("Remis");
    expect(page).not.toContain("En attente");
    expect(page).toContain("200");
  });

  it("sends nothing to a deleted endpoint, and nothing for an event not chosen", async () => {
    const c = await admin();
    const before = received.length;
    await c.get(`/organisations/${network}/webhooks/${endpointId}`);
    const deleted = await c.post(`/organisations/${network}/webhooks/${endpointId}/delete`, {});
    expect(deleted.statusCode).toBe(303);
    await c.api("POST", `/api/v1/organisations/${site}/requests`, { ...REQUEST, subject: "Personne n'écoute" });
    await drain(1);
    expect(received.length).toBe(before);
    expect((await c.get(`/organisations/${network}/webhooks/${endpointId}`)).statusCode).toBe(404);
  });

  it("sends import.finished once a register import has written its requests", async () => {
    const c = await admin();
    await c.get(`/organisations/${network}/webhooks`);
    const created = await c.post(`/organisations/${network}/webhooks`, { url: receiverUrl, events: "import.finished" });
    expect(created.statusCode).toBe(201);
    const before = received.length;
    const good = { columns: ["Date", "Objet", "Canal"], rows: [["01/12/2026", "Permis", "courrier"]], constants: { kind: "demande" } };
    const done = await c.api("POST", `/api/v1/organisations/${site}/requests/import?dryRun=false`, good);
    expect(done.statusCode, done.body).toBe(200);
    await drain(1);
    const events = received.slice(before);
    expect(events.map((e) => e.type)).toEqual(["import.finished"]);
    expect(events[0]?.orgId).toBe(site);
  });

  it("sends request.overdue once per request whose deadline passed without an answer, from the daily job", async () => {
    expect(dailySchedules().some((d) => d.name === "requests.overdue-events")).toBe(true);
    const c = await admin();
    await c.get(`/organisations/${network}/webhooks`);
    const created = await c.post(`/organisations/${network}/webhooks`, { url: receiverUrl, events: "request.overdue" });
    expect(created.statusCode).toBe(201);
    secret = /id="new-secret">(whsec_[A-Za-z0-9_-]+)</.exec(created.body)?.[1] ?? "";
    // A written request has a deadline (a phone one has none). Received long ago: overdue today.
    // One of them is answered (late, but answered: no event); one is recent.
    const WRITTEN = { ...REQUEST, channel: "email" };
    const late = await c.api("POST", `/api/v1/organisations/${site}/requests`, {
      ...WRITTEN,
      receivedOn: "2026-01-05",
      subject: "Oubliée",
    });
    const lateAnswered = await c.api("POST", `/api/v1/organisations/${site}/requests`, {
      ...WRITTEN,
      receivedOn: "2026-01-06",
      subject: "Répondue en retard",
    });
    const recent = await c.api("POST", `/api/v1/organisations/${site}/requests`, {
      ...WRITTEN,
      receivedOn: todayParis(),
      subject: "Du jour",
    });
    for (const r of [late, lateAnswered, recent]) expect(r.statusCode, r.body).toBe(201);
    const answered = await c.api("POST", `/api/v1/organisations/${site}/requests/${lateAnswered.json().request.id}/status`, {
      status: "answered",
      version: lateAnswered.json().request.version,
    });
    expect(answered.statusCode, answered.body).toBe(200);
    const before = received.length;
    const run = async (day: string) => {
      await enqueue(database.db, { name: "requests.overdue-events", payload: {}, dedupeKey: `test-overdue:${day}` });
      await drain(0);
    };
    await run("1");
    const events = received.slice(before).filter((e) => e.type === "request.overdue");
    expect(late.json().request.dueOn).not.toBeNull();
    expect(events.length).toBe(1);
    expect(events[0]?.signatureOk).toBe(true);
    expect(events[0]?.orgId).toBe(site);
    expect(overdueData.get(events[0]?.id ?? "")).toMatchObject({ requestId: late.json().request.id, status: "received" });
    // The next day's run tells nothing again.
    await run("2");
    expect(received.slice(before).filter((e) => e.type === "request.overdue").length).toBe(1);
  });
});
