import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";

/** A 1×1 PNG, as an image editor writes it. */
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f7e2a50000000049454e44ae426082",
  "hex",
);

describe("an organisation's logo over HTTP", () => {
  let t: TestApp;
  let c: Client;
  let site = "";

  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
    const created = await c.api("POST", "/api/v1/organisations", {
      name: "Mairie de Lunéville",
      kind: "site",
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
    });
    site = created.json().id;
  });
  afterAll(() => t.close());

  it("has none at first: the public route says so and the page offers to add one", async () => {
    expect((await c.get(`/public/organisations/${site}/logo`)).statusCode).toBe(404);
    const page = await c.get(`/organisations/${site}/logo`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Ajouter un logo");
  });

  it("refuses what is not a small raster image, in French, and keeps nothing", async () => {
    await c.get(`/organisations/${site}/logo`);
    const html = await c.upload(`/organisations/${site}/logo`, { name: "logo.png", data: Buffer.from("<html><script>alert(1)</script>") });
    expect(html.statusCode).toBe(400);
    expect(html.body).toContain("Le logo doit être une image PNG, JPEG ou WebP.");
    const svg = await c.upload(`/organisations/${site}/logo`, {
      name: "logo.svg",
      data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    });
    expect(svg.statusCode).toBe(400);
    const big = await c.upload(`/organisations/${site}/logo`, { name: "logo.png", data: Buffer.concat([PNG, Buffer.alloc(300 * 1024)]) });
    expect(big.statusCode).toBe(400);
    expect(big.body).toContain("L&#39;image dépasse 200 Ko");
    expect((await c.get(`/public/organisations/${site}/logo`)).statusCode).toBe(404);
  });

  it("serves the uploaded logo to the public as an image that cannot run anything", async () => {
    await c.get(`/organisations/${site}/logo`);
    const saved = await c.upload(`/organisations/${site}/logo`, { name: "blason.png", data: PNG });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/organisations/${site}/logo?ok=org.logo_set`);
    const served = await t.app.inject({ method: "GET", url: `/public/organisations/${site}/logo` });
    expect(served.statusCode).toBe(200);
    expect(served.headers["content-type"]).toBe("image/png");
    expect(served.headers["x-content-type-options"]).toBe("nosniff");
    expect(served.rawPayload.equals(PNG)).toBe(true);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "after"])
      .where("entity", "=", "organisation_logo")
      .execute();
    expect(audit).toEqual([{ action: "update", after: { contentType: "image/png", bytes: PNG.length } }]);
  });

  it("removes it", async () => {
    await c.get(`/organisations/${site}/logo`);
    const removed = await c.post(`/organisations/${site}/logo/delete`, {});
    expect(removed.statusCode).toBe(303);
    expect((await c.get(`/public/organisations/${site}/logo`)).statusCode).toBe(404);
    expect((await c.get(`/organisations/${site}/logo?ok=org.logo_removed`)).body).toContain("Le logo a été retiré.");
  });
});
