import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";

/** The files of an e-mailed request on its page (issue #15): listed with their size, downloaded under access control. */
describe("attachments of e-mailed requests, on a real database", () => {
  let t: TestApp;
  let c: Client;
  let site = "";
  let other = "";
  let requestId = "";
  let otherRequest = "";
  let pdf = "";
  let html = "";

  const store = async (orgId: string, request: string, name: string, type: string, data: Buffer) =>
    (
      await sql<{ id: string }>`
        insert into mailbox_attachments (org_id, request_id, file_name, content_type, size, data)
        values (${orgId}, ${request}, ${name}, ${type}, ${data.length}, ${data}) returning id`.execute(t.database.db)
    ).rows[0]?.id ?? "";

  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const org = async (name: string) =>
      (await c.api("POST", "/api/v1/organisations", { name, kind: "site", timeZone: "Europe/Paris", holidayZone: "metropole" })).json().id;
    site = await org("Mairie");
    other = await org("Autre mairie");
    const request = async (orgId: string) =>
      (
        await c.api("POST", `/api/v1/organisations/${orgId}/requests`, {
          kind: "request",
          channel: "email",
          receivedOn: "2026-11-02",
          subject: "Pièces",
        })
      ).json().request.id;
    requestId = await request(site);
    otherRequest = await request(other);
    pdf = await store(site, requestId, "Relevé d'identité.pdf", "application/pdf", Buffer.alloc(12_500, 1));
    html = await store(site, requestId, "page.html", "text/html", Buffer.from("<script>alert(1)</script>"));
    await store(other, otherRequest, "autre.txt", "text/plain", Buffer.from("autre"));
  });
  afterAll(() => t.close());

  it("lists the files on the request's page with their size and a download link", async () => {
    const page = await c.get(`/organisations/${site}/requests/${requestId}`);
    expect(page.body).toContain("Pièces jointes");
    expect(page.body).toContain("Relevé d&#39;identité.pdf");
    expect(page.body).toContain("12,5\u00a0ko");
    expect(page.body).toContain(`href="/organisations/${site}/requests/${requestId}/attachments/${pdf}"`);
    expect(page.body).not.toContain("autre.txt");
  });

  it("downloads a file as an attachment, never as a page that could run", async () => {
    const file = await c.get(`/organisations/${site}/requests/${requestId}/attachments/${pdf}`);
    expect(file.statusCode).toBe(200);
    expect(file.headers["content-type"]).toBe("application/pdf");
    expect(file.headers["content-disposition"]).toContain("attachment;");
    expect(file.headers["content-disposition"]).toContain("filename*=UTF-8''Relev%C3%A9%20d'identit%C3%A9.pdf");
    expect(file.rawPayload.length).toBe(12_500);
    const page = await c.get(`/organisations/${site}/requests/${requestId}/attachments/${html}`);
    expect(page.headers["content-type"]).toBe("application/octet-stream");
  });

  it("answers 404 for a file of another request or organisation, and a clear message for a malformed id", async () => {
    const theirs = (await sql<{ id: string }>`select id from mailbox_attachments where org_id = ${other}`.execute(t.database.db)).rows[0]
      ?.id;
    expect((await c.get(`/organisations/${site}/requests/${requestId}/attachments/${theirs}`)).statusCode).toBe(404);
    expect((await c.get(`/organisations/${site}/requests/${otherRequest}/attachments/${pdf}`)).statusCode).toBe(404);
    const bad = await c.get(`/organisations/${site}/requests/${requestId}/attachments/pas-un-id`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Pièce jointe introuvable.");
  });
});
