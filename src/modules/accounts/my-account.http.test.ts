import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";

/** « Mon compte » over HTTP: the password change holds to the same policy as every other chosen password. */
describe("changing one's own password", () => {
  let t: TestApp;
  let c: Client;
  const decoded = (html: string) => html.replaceAll("&#39;", "'");

  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
  });
  afterAll(() => t.close());

  it("refuses a wrong current password, a common one, and one made of the person's own name, and changes nothing", async () => {
    await c.get("/compte");
    const wrong = await c.post("/compte/password", {
      currentPassword: "pas le bon mot de passe",
      password: "le héron pêche au bord de la Meurthe",
      confirmation: "le héron pêche au bord de la Meurthe",
    });
    expect(wrong.statusCode).toBe(400);
    expect(decoded(wrong.body)).toContain("Le mot de passe actuel est incorrect.");
    const own = await c.post("/compte/password", {
      currentPassword: ADMIN.password,
      password: "alice admin alice admin",
      confirmation: "alice admin alice admin",
    });
    expect(own.statusCode).toBe(400);
    expect(decoded(own.body)).toContain("Le mot de passe ne doit pas reprendre votre nom ou votre adresse électronique.");
    // The old password still opens a session.
    expect((await new Client(t.app).login(ADMIN.email, ADMIN.password)).statusCode).toBe(303);
  });

  it("accepts a strong one, ends the other sessions, and the new password opens the next", async () => {
    const other = new Client(t.app);
    await other.login(ADMIN.email, ADMIN.password);
    expect((await other.get("/compte")).statusCode).toBe(200);
    await c.get("/compte");
    const changed = await c.post("/compte/password", {
      currentPassword: ADMIN.password,
      password: "le héron pêche au bord de la Meurthe",
      confirmation: "le héron pêche au bord de la Meurthe",
    });
    expect(changed.statusCode).toBe(303);
    expect((await c.get("/compte")).statusCode).toBe(200);
    expect((await other.get("/compte")).statusCode).not.toBe(200);
    expect((await new Client(t.app).login(ADMIN.email, ADMIN.password)).statusCode).not.toBe(303);
    expect((await new Client(t.app).login(ADMIN.email, "le héron pêche au bord de la Meurthe")).statusCode).toBe(303);
  });
});
