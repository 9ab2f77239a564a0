import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, adminClient, type Client, startTestApp, type TestApp } from "../../../test/support/app.ts";

const SITE = { kind: "site", timeZone: "Europe/Paris", holidayZone: "metropole" };

describe("organisations, as an administrator uses them", () => {
  let t: TestApp;
  let c: Client;
  beforeAll(async () => {
    t = await startTestApp();
    c = await adminClient(t);
  });
  afterAll(() => t.close());

  it("builds a tree through the forms and shows it", async () => {
    await c.get("/organisations/new");
    const network = await c.post("/organisations/new", {
      name: "Réseau Est",
      kind: "network",
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
    });
    expect(network.statusCode).toBe(303);
    const networkId = network.headers.location?.split("/")[2]?.split("?")[0] ?? "";
    await c.get("/organisations/new");
    const site = await c.post("/organisations/new", {
      ...SITE,
      name: "Mairie de Strasbourg",
      parentId: networkId,
      addressPostcode: "67000",
      addressCity: "Strasbourg",
      siret: "217 500 016 00019",
      holidayZone: "alsace-moselle",
    });
    expect(site.statusCode).toBe(303);
    const page = await c.get(site.headers.location ?? "");
    expect(page.body).toContain("L&#39;organisation a été créée.");
    expect(page.body).toContain("Alsace-Moselle");
    expect(page.body).toContain("21750001600019");
    const list = await c.get("/organisations");
    expect(list.body.indexOf("Réseau Est")).toBeLessThan(list.body.indexOf("Mairie de Strasbourg"));
    // The site is nested in its network's list, a level below (the tree page is nested lists).
    expect(list.body).toMatch(/>Réseau Est<\/a>(?:(?!<\/li>).)*<ul><li><a [^>]*>Mairie de Strasbourg<\/a>/);
  });

  it("shows the form again with French messages per field and the values typed", async () => {
    await c.get("/organisations/new");
    const response = await c.post("/organisations/new", {
      name: "",
      kind: "planète",
      siret: "123",
      addressPostcode: "750",
      addressCity: "Paris <b>",
      timeZone: "Mars/Olympus",
      holidayZone: "metropole",
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("Le nom est obligatoire.");
    expect(response.body).toContain("Choisissez un type d&#39;organisation.");
    expect(response.body).toContain("Le SIRET compte 14 chiffres.");
    expect(response.body).toContain("Le code postal compte 5 chiffres.");
    expect(response.body).toContain("Ce fuseau horaire n&#39;existe pas");
    expect(response.body).toContain('value="Paris &lt;b&gt;"');
    expect((await c.api("GET", "/api/v1/organisations")).json()).toHaveLength(2);
  });

  it("answers the API with 400 and a message per field", async () => {
    const response = await c.api("POST", "/api/v1/organisations", {
      name: "X",
      kind: "site",
      siret: "21750001600018",
      timeZone: "Europe/Paris",
      holidayZone: "lune",
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error).toBe("Certaines informations sont à corriger.");
    expect(body.fields.siret).toBe("Ce SIRET n'est pas valide (clé de contrôle incorrecte).");
    expect(body.fields.holidayZone).toBe("Choisissez une zone de jours fériés.");
  });

  it("gives 404 for an unknown or malformed id, never a 500", async () => {
    expect((await c.api("GET", "/api/v1/organisations/00000000-0000-4000-8000-000000000000")).statusCode).toBe(404);
    expect((await c.api("GET", "/api/v1/organisations/pas-un-uuid")).statusCode).toBe(404);
    expect((await c.get("/organisations/pas-un-uuid")).statusCode).toBe(404);
    const malformed = await t.app.inject({
      method: "POST",
      url: "/api/v1/organisations",
      headers: { "content-type": "application/json", cookie: `vigie_session=${c.cookie("vigie_session")}` },
      payload: "{pas du json",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toBe("La requête est mal formée.");
  });

  it("refuses a stale edit with 409 instead of overwriting", async () => {
    const created = await c.api("POST", "/api/v1/organisations", {
      name: "Site A",
      kind: "site",
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
    });
    expect(created.statusCode).toBe(201);
    const org = created.json();
    const first = await c.api("PUT", `/api/v1/organisations/${org.id}`, {
      name: "Site A — nouveau nom",
      kind: "site",
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
      version: org.version,
    });
    expect(first.statusCode).toBe(200);
    expect(first.json().version).toBe(org.version + 1);
    const second = await c.api("PUT", `/api/v1/organisations/${org.id}`, {
      name: "Site A — autre nom",
      kind: "site",
      timeZone: "Europe/Paris",
      holidayZone: "metropole",
      version: org.version,
    });
    expect(second.statusCode).toBe(409);
    expect(second.json().error).toContain("modifiée par quelqu'un d'autre");
    expect((await c.api("GET", `/api/v1/organisations/${org.id}`)).json().name).toBe("Site A — nouveau nom");

    // The same through the form: the page says so and keeps what was typed.
    await c.get(`/organisations/${org.id}/edit`);
    const stale = await c.post(`/organisations/${org.id}/edit`, { ...SITE, name: "Saisie perdue ?", version: String(org.version) });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('value="Saisie perdue ?"');
  });

  it("refuses to delete an organisation that still has children, then deletes a leaf", async () => {
    const orgs = (await c.api("GET", "/api/v1/organisations")).json() as Array<{ id: string; name: string; version: number }>;
    const network = orgs.find((o) => o.name === "Réseau Est");
    const site = orgs.find((o) => o.name === "Mairie de Strasbourg");
    if (!network || !site) throw new Error("arbre manquant");
    const refused = await c.api("DELETE", `/api/v1/organisations/${network.id}?version=${network.version}`);
    expect(refused.statusCode).toBe(409);
    await c.get(`/organisations/${site.id}`);
    const unconfirmed = await c.post(`/organisations/${site.id}/delete`, { version: String(site.version) });
    expect(unconfirmed.statusCode).toBe(400);
    const deleted = await c.post(`/organisations/${site.id}/delete`, { version: String(site.version), confirm: "true" });
    expect(deleted.statusCode).toBe(303);
    expect((await c.api("GET", `/api/v1/organisations/${site.id}`)).statusCode).toBe(404);
  });

  it("records every write in the audit log with before and after", async () => {
    const entries = (await c.api("GET", "/api/v1/audit?entity=organisation")).json() as Array<{
      action: string;
      before: { name?: string } | null;
      after: { name?: string } | null;
      actorLabel: string;
    }>;
    const update = entries.find((e) => e.action === "update");
    expect(update?.before?.name).toBe("Site A");
    expect(update?.after?.name).toBe("Site A — nouveau nom");
    expect(update?.actorLabel).toContain(ADMIN.email);
    expect(entries.filter((e) => e.action === "delete")).toHaveLength(1);
    const page = await c.get("/audit");
    expect(page.body).toContain("Site A — nouveau nom");
  });
});
