import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";

describe("the legal pages every public site publishes", () => {
  let t: TestApp;
  let c: Client;
  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
  });
  afterAll(() => t.close());

  it("shows a default text to anyone, with the compliance status in every footer", async () => {
    const page = await new Client(t.app).get("/legal/accessibilite");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Déclaration d&#39;accessibilité");
    expect(page.body).toContain("Accessibilité\u00a0: partiellement conforme");
    expect((await new Client(t.app).get("/legal/inconnue")).statusCode).toBe(404);
  });

  it("lets the administrator edit a page, refuses an empty text and a stale edit", async () => {
    await c.get("/legal/accessibilite/edit");
    const empty = await c.post("/legal/accessibilite/edit", { title: "Accessibilité", body: "", compliance: "totale", version: "0" });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain("Le texte est obligatoire.");
    const saved = await c.post("/legal/accessibilite/edit", {
      title: "Déclaration d'accessibilité",
      body: "Audit mené en 2026 : 100 % des critères respectés.\n\nContact : accessibilite@mairie.fr",
      compliance: "totale",
      version: "0",
    });
    expect(saved.statusCode).toBe(303);
    const page = await new Client(t.app).get("/legal/accessibilite");
    expect(page.body).toContain("<p>Contact : accessibilite@mairie.fr</p>");
    expect(page.body).toContain("Accessibilité\u00a0: totalement conforme");
    const stale = await c.post("/legal/accessibilite/edit", { title: "X", body: "Y", compliance: "partielle", version: "0" });
    expect(stale.statusCode).toBe(409);
    expect((await new Client(t.app).get("/legal/accessibilite")).body).toContain("Audit mené en 2026");
  });
});
