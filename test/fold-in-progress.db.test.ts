import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settlePendingCounts } from "../src/modules/indicators/sources.ts";
import { adminClient, Client, startTestApp, type TestApp } from "./support/app.ts";
import { TEST_DATABASE_URL } from "./support/database.ts";

/**
 * A registration and a survey answer leave their counts waiting beside the rollups; the next read adds them
 * (foldPendingRollups, foldPendingCounts). Counts another connection has taken and not yet committed are in
 * neither table: a dashboard read at that moment left them out — two registrations missing from a total, once
 * in a CI run, when the dashboard's two periods folded side by side. The read must wait for the fold under way.
 * Two connections are needed to hold one fold open while another reads: PostgreSQL only (the embedded engine
 * has one connection, and no second fold can be under way).
 */
describe.skipIf(!TEST_DATABASE_URL)("a read while another connection is adding the waiting counts (PostgreSQL)", () => {
  let t: TestApp;
  let c: Client;
  let site = "";

  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    site = (
      await c.api("POST", "/api/v1/organisations", {
        name: "Mairie de Gex",
        kind: "site",
        timeZone: "Europe/Paris",
        holidayZone: "metropole",
      })
    ).json().id;
    await c.api("PUT", `/api/v1/organisations/${site}/framework`, { frameworkId: "sp+2023" });
  });
  afterAll(() => t?.close());

  const dashboard = async () =>
    (await c.api("GET", `/api/v1/organisations/${site}/dashboard?from=2026-01-01&to=2026-12-31`)).json() as {
      lines: Array<{ figures: Array<{ key: string; channel: string | null; sample: number | null }> }>;
    };
  const sampleOf = (d: Awaited<ReturnType<typeof dashboard>>, key: string) =>
    d.lines.flatMap((l) => l.figures).find((f) => f.key === key && f.channel === null)?.sample ?? null;

  it("waits for that fold to commit, and shows every registration and every answer", async () => {
    for (const subject of ["Lettre de Mme Roux", "Lettre de M. Blanc"]) {
      const created = await c.api("POST", `/api/v1/organisations/${site}/requests`, {
        kind: "request",
        channel: "letter",
        receivedOn: "2026-03-02",
        subject,
      });
      expect(created.statusCode).toBe(201);
    }
    expect((await c.get(`/organisations/${site}/surveys`)).statusCode).toBe(200);
    const survey = await c.post(`/organisations/${site}/surveys`, { template: "annual", channel: "" });
    const surveyId = /\/surveys\/([0-9a-f-]{36})\//.exec(String(survey.headers.location))?.[1] ?? "";
    expect(surveyId).not.toBe("");
    const respondent = new Client(t.app);
    for (const overall of [5, 2, 4]) {
      const form = (await respondent.api("GET", `/api/v1/public/organisations/${site}/surveys/${surveyId}`)).json();
      const sent = await respondent.api("POST", `/api/v1/public/organisations/${site}/surveys/${surveyId}/responses`, {
        formToken: form.formToken,
        answers: { overall },
      });
      expect(sent.statusCode).toBe(201);
    }

    // Another connection (the publication, a second server) takes every waiting count and has not committed yet.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let taken = () => {};
    const held = new Promise<void>((resolve) => {
      taken = resolve;
    });
    const fold = t.database.db.transaction().execute(async (trx) => {
      await settlePendingCounts(trx);
      const left = await sql<{ n: number }>`
        select (select count(*) from request_rollup_pending)::int + (select count(*) from survey_pending_counts)::int as n`.execute(trx);
      expect(left.rows[0]?.n).toBe(0);
      taken();
      await released;
    });
    await held;

    let answered = false;
    const during = dashboard().then((d) => {
      answered = true;
      return d;
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const waited = !answered;
    release();
    await fold;
    // It waited: the counts it needs were in the other connection's hands.
    expect(waited).toBe(true);
    const seen = await during;
    expect(sampleOf(seen, "requests.received_without_delay")).toBe(2);
    expect(sampleOf(seen, "surveys.satisfaction")).toBe(3);
    // What it shows is what a read after the fold shows.
    expect(seen).toEqual(await dashboard());
  });
});
