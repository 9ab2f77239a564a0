import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, Client, createAdmin, startTestApp, type TestApp } from "../../../test/support/app.ts";

describe("first run, login and logout", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("sends a new instance to the set-up page, refuses a weak password, then creates the admin once", async () => {
    const c = new Client(t.app);
    expect((await c.get("/")).headers.location).toBe("/setup");
    await c.get("/setup");
    const weak = await c.post("/setup", { displayName: "Alice", email: "alice@mairie.fr", password: "court" });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toContain("Le mot de passe doit compter au moins 12 caractères.");
    expect(weak.body).toContain('value="alice@mairie.fr"');

    const ok = await c.post("/setup", { displayName: "Alice", email: "alice@mairie.fr", password: "une phrase de passe" });
    expect(ok.statusCode).toBe(303);
    expect((await c.get("/")).body).toContain("Bonjour Alice");

    const late = new Client(t.app);
    expect((await late.get("/setup")).headers.location).toBe("/login");
    const again = await late.post("/setup", { displayName: "Eve", email: "eve@x.fr", password: "une autre phrase" });
    expect(again.statusCode).toBe(403);
    expect((await new Client(t.app).login("eve@x.fr", "une autre phrase")).statusCode).toBe(401);
  });

  it("logs in, sets a secure http-only cookie, and logs out for good", async () => {
    await createAdmin(t);
    const c = new Client(t.app);
    const response = await c.login(ADMIN.email, ADMIN.password);
    expect(response.statusCode).toBe(303);
    const cookie = response.cookies.find((k) => k.name === "vigie_session");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.secure).toBe(true);
    expect(cookie?.sameSite).toBe("Lax");
    const session = c.cookie("vigie_session");
    expect((await c.get("/organisations")).statusCode).toBe(200);

    await c.get("/");
    expect((await c.post("/logout", {})).statusCode).toBe(303);
    expect((await c.get("/organisations")).headers.location).toBe("/login?next=%2Forganisations");
    // The old cookie is dead server-side, not just forgotten by the browser.
    const replay = await t.app.inject({ method: "GET", url: "/api/v1/me", headers: { cookie: `vigie_session=${session}` } });
    expect(replay.statusCode).toBe(401);
  });

  it("says the same thing for an unknown e-mail and a wrong password, in French", async () => {
    const c = new Client(t.app);
    const unknown = await c.login("personne@nulle-part.fr", "peu importe");
    const wrong = await c.login(ADMIN.email, "pas le bon mot de passe");
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.body).toContain("Adresse électronique ou mot de passe incorrect.");
    expect(wrong.body).toContain("Adresse électronique ou mot de passe incorrect.");
  });

  it("blocks an e-mail after five failures in a quarter of an hour, even with the right password, from a browser it has never seen", async () => {
    const c = new Client(t.app);
    const target = "cible@exemple.fr";
    await t.app.inject({ method: "GET", url: "/" });
    const { createInstanceAdmin } = await import("./accounts.service.ts");
    await createInstanceAdmin(t.database.db, { email: target, displayName: "Cible", password: "le bon mot de passe" });
    for (let i = 0; i < 5; i++) expect((await c.login(target, `essai ${i}`)).statusCode).toBe(401);
    const blocked = await c.login(target, "le bon mot de passe");
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toContain("Trop de tentatives de connexion à ce compte");
  });

  it("refuses a form posted without its CSRF token, or with another browser's", async () => {
    const c = new Client(t.app);
    await c.login(ADMIN.email, ADMIN.password);
    const missing = await c.post("/organisations/new", {
      _csrf: "",
      name: "X",
      kind: "site",
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain("Le formulaire a expiré");
    const other = new Client(t.app);
    await other.get("/login");
    const forged = await c.post("/organisations/new", {
      _csrf: other.csrf,
      name: "X",
      kind: "site",
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
    });
    expect(forged.statusCode).toBe(403);
  });

  it("only follows a same-site address after login", async () => {
    const c = new Client(t.app);
    await c.get("/login");
    const response = await c.post("/login", { email: ADMIN.email, password: ADMIN.password, next: "//evil.example/" });
    expect(response.headers.location).toBe("/?ok=welcome");
  });
});

describe("the address followed after login", () => {
  it("stays on this site whatever is slipped into it", async () => {
    const { safeNext } = await import("./auth.routes.tsx");
    expect(safeNext("/organisations?x=1")).toBe("/organisations?x=1");
    // "/%09/…" arrives decoded from the query string, as "/\t/…", which browsers read as "//…".
    for (const evil of [
      "//evil.example/",
      "/\\evil.example",
      "/\t/evil.example",
      "https://evil.example",
      "/\n/evil.example",
      "/ /evil.example",
    ]) {
      expect(safeNext(evil), JSON.stringify(evil)).toBe("/");
    }
  });
});
