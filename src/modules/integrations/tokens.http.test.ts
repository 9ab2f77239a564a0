import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { engineName } from "../../../test/support/database.ts";
import { plainSpaces } from "../../../test/support/typography.ts";
import { activeAccountsWithGrants } from "../accounts/accounts.service.ts";

const main = (html: string) => plainSpaces(html.slice(html.indexOf("<main"), html.indexOf("</main>")).replaceAll("&#39;", "'"));

/**
 * API tokens: a person's own rights, narrowed by the token's scope and organisation, checked by the
 * routes' own declared access; refused as 401 when unknown, expired or revoked.
 */
describe(`API tokens (${engineName})`, () => {
  let t: TestApp;
  let admin: Client;
  let agent: Client;
  let agentId = "";
  const password = "le phare veille sur la baie";
  let network = "";
  let siteA = "";
  let siteB = "";
  const REQUEST = { kind: "request", channel: "phone", receivedOn: "2026-12-01", subject: "Carte d'identité" };

  async function bearer(token: string, method: "GET" | "POST" | "PUT" | "DELETE", url: string, body?: unknown) {
    return t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  }

  async function createToken(client: Client, fields: Record<string, string>): Promise<string> {
    await client.get("/compte/jetons");
    const response = await client.post("/compte/jetons", { days: "90", ...fields });
    expect(response.statusCode, main(response.body)).toBe(201);
    const secret = /id="new-token"[^>]*>\s*(vig_[A-Za-z0-9_-]{43})/.exec(response.body)?.[1];
    expect(secret).toBeDefined();
    return secret as string;
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await adminClient(t);
    const org = async (name: string, kind: string, parentId?: string) =>
      (
        await admin.api("POST", "/api/v1/organisations", { name, kind, parentId, timeZone: "Europe/Paris", holidayZone: "metropole" })
      ).json().id as string;
    network = await org("Réseau Jura", "network");
    siteA = await org("Mairie de Dole", "site", network);
    siteB = await org("Mairie de Lons", "site", network);
    for (const site of [siteA, siteB]) await admin.api("PUT", `/api/v1/organisations/${site}/framework`, { frameworkId: "marianne-2008" });
    const created = await admin.api("POST", "/api/v1/accounts", {
      email: "agent@exemple.fr",
      displayName: "Agathe Agent",
      password,
      role: "agent",
      orgId: network,
    });
    expect(created.statusCode, created.body).toBe(201);
    agentId = created.json().id;
    agent = new Client(t.app);
    await agent.login("agent@exemple.fr", password);
  });
  afterAll(async () => t.close());

  it("shows the secret once, then only its beginning; a write token registers a request and reads indicators", async () => {
    const secret = await createToken(agent, { name: "Téléphonie", scope: "write" });
    const list = await agent.get("/compte/jetons");
    expect(list.body).not.toContain(secret);
    expect(main(list.body)).toContain(`${secret.slice(0, 10)}…`);
    expect(main(list.body)).toContain("Lecture et écriture");
    expect(main(list.body)).toContain("Jamais");

    const registered = await bearer(secret, "POST", `/api/v1/organisations/${siteA}/requests`, REQUEST);
    expect(registered.statusCode, registered.body).toBe(201);
    const indicators = await bearer(secret, "GET", `/api/v1/organisations/${siteA}/request-indicators`);
    expect(indicators.statusCode, indicators.body).toBe(200);
    // The use is recorded: last use on the page, each call in the audit log.
    expect(main((await agent.get("/compte/jetons")).body)).not.toContain("Jamais");
    const audit = (await admin.api("GET", "/api/v1/audit?entity=api_token")).json() as Array<{ action: string }>;
    expect(audit.filter((e) => e.action === "use").length).toBeGreaterThanOrEqual(2);
  });

  it("a read token cannot write (403) and changes nothing", async () => {
    const secret = await createToken(agent, { name: "Décisionnel", scope: "read" });
    expect((await bearer(secret, "GET", `/api/v1/organisations/${siteA}/requests`)).statusCode).toBe(200);
    const before = (await bearer(secret, "GET", `/api/v1/organisations/${siteA}/requests`)).json().total;
    const refused = await bearer(secret, "POST", `/api/v1/organisations/${siteA}/requests`, REQUEST);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toContain("lecture seule");
    expect((await bearer(secret, "GET", `/api/v1/organisations/${siteA}/requests`)).json().total).toBe(before);
  });

  it("a subtree token cannot read outside it (404 as for roles)", async () => {
    const secret = await createToken(agent, { name: "Dole seulement", scope: "write", orgId: siteA });
    expect((await bearer(secret, "GET", `/api/v1/organisations/${siteA}/requests`)).statusCode).toBe(200);
    expect((await bearer(secret, "GET", `/api/v1/organisations/${siteB}/requests`)).statusCode).toBe(404);
    expect((await bearer(secret, "GET", `/api/v1/organisations/${network}/requests`)).statusCode).toBe(404);
  });

  it("cannot limit a token to an organisation outside one's rights", async () => {
    const outsider = (
      await admin.api("POST", "/api/v1/organisations", {
        name: "Ailleurs",
        kind: "network",
        timeZone: "Europe/Paris",
        holidayZone: "metropole",
      })
    ).json().id;
    await agent.get("/compte/jetons");
    const response = await agent.post("/compte/jetons", { name: "Ailleurs", scope: "read", orgId: outsider, days: "90" });
    expect(response.statusCode).toBe(400);
    expect(main(response.body)).toContain("Choisissez une organisation sur laquelle vous avez un rôle.");
    expect(main((await agent.get("/compte/jetons")).body)).not.toContain("Ailleurs</td>");
    const tooLong = await agent.post("/compte/jetons", { name: "Éternel", scope: "read", days: "3650" });
    expect(tooLong.statusCode).toBe(400);
    expect(main(tooLong.body)).toContain("un an au plus");
  });

  it("a person's token limited to some modules gets 403 with a French message elsewhere", async () => {
    const none = await agent.post("/compte/jetons", { name: "Rien", scope: "write", modules: [""], days: "90" });
    expect(none.statusCode).toBe(400);
    expect(main(none.body)).toContain("Cochez au moins un module de l'API.");
    const secret = await createToken(agent, { name: "Demandes seulement", scope: "write", modules: ["", "requests"] } as never);
    expect(main((await agent.get("/compte/jetons")).body)).toContain("Demandes des usagers : lecture et écriture");
    const registered = await bearer(secret, "POST", `/api/v1/organisations/${siteA}/requests`, REQUEST);
    expect(registered.statusCode, registered.body).toBe(201);
    const calls = await bearer(secret, "GET", `/api/v1/organisations/${siteA}/call-indicators`);
    expect(calls.statusCode).toBe(403);
    expect(calls.json().error).toBe("Ce jeton d'API n'ouvre pas le module « Accueil téléphonique ».");
    // Who the token is stays readable whatever its modules.
    expect((await bearer(secret, "GET", "/api/v1/me")).statusCode).toBe(200);
  });

  it("an instance administrator gives a service account a per-module token on one site; it cannot sign in", async () => {
    expect((await agent.get("/admin/service-accounts")).statusCode).toBe(403);
    await admin.get("/admin/service-accounts");
    const empty = await admin.post("/admin/service-accounts", { name: " ", orgId: network, role: "agent" });
    expect(empty.statusCode).toBe(400);
    const created = await admin.post("/admin/service-accounts", { name: "Plateforme téléphonique", orgId: network, role: "agent" });
    expect(created.statusCode, main(created.body)).toBe(303);
    const page = await admin.get("/admin/service-accounts");
    expect(main(page.body)).toContain("Plateforme téléphonique");
    expect(main(page.body)).toContain("Agent sur Réseau Jura");
    const accountId = /href="\/admin\/service-accounts\/([0-9a-f-]{36})\/tokens\/new"/.exec(page.body)?.[1] as string;
    expect(accountId).toBeDefined();

    // It signs in neither with a password (it has none) nor by a reset link.
    const row = await t.database.db.selectFrom("accounts").select(["email"]).where("id", "=", accountId).executeTakeFirstOrThrow();
    expect(row.email).toMatch(/@comptes-de-service\.invalid$/);
    // Nor is it sent the daily reminders meant for people.
    expect((await activeAccountsWithGrants(t.database.db)).some((a) => a.id === accountId)).toBe(false);
    const signIn = new Client(t.app);
    expect((await signIn.login(row.email, "!service")).statusCode).not.toBe(303);

    await admin.get(`/admin/service-accounts/${accountId}/tokens/new`);
    const noModule = await admin.post(`/admin/service-accounts/${accountId}/tokens`, { name: "Vide", days: "30" });
    expect(noModule.statusCode).toBe(400);
    expect(main(noModule.body)).toContain("Choisissez au moins un module de l'API.");
    const response = await admin.post(`/admin/service-accounts/${accountId}/tokens`, {
      name: "Poussée des appels",
      orgId: siteA,
      days: "30",
      access_calls: "write",
      access_dashboards: "read",
    });
    expect(response.statusCode, main(response.body)).toBe(201);
    const secret = /id="new-token"[^>]*>\s*(vig_[A-Za-z0-9_-]{43})/.exec(response.body)?.[1] as string;
    const listed = main((await admin.get("/admin/service-accounts")).body);
    expect(listed).toContain(`${secret.slice(0, 10)}…`);
    expect(listed).toContain("Accueil téléphonique : lecture et écriture");
    expect(listed).toContain("Indicateurs et tableaux de bord : lecture");
    expect(listed).toContain("Mairie de Dole");

    const calls = [
      { id: "c-1", startedAt: "2026-11-02T09:00:00", line: "Accueil", outcome: "answered", wait: 12, talk: 90 },
      { id: "c-2", startedAt: "2026-11-02T08:05:00Z", line: "Accueil", outcome: "abandoned", wait: 40 },
    ];
    const bad = await bearer(secret, "POST", `/api/v1/organisations/${siteA}/calls`, {
      calls: [...calls, { id: "c-3", startedAt: "hier", outcome: "answered", wait: 1 }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("heure de début illisible");
    const pushed = await bearer(secret, "POST", `/api/v1/organisations/${siteA}/calls`, { calls });
    expect(pushed.statusCode, pushed.body).toBe(201);
    expect(pushed.json()).toMatchObject({ status: "done", rowsCreated: 2, rowsDuplicate: 0 });
    const again = await bearer(secret, "POST", `/api/v1/organisations/${siteA}/calls`, { calls });
    expect(again.json()).toMatchObject({ rowsCreated: 0, rowsDuplicate: 2 });
    const figures = await bearer(secret, "GET", `/api/v1/organisations/${siteA}/call-indicators?from=2026-11-01&to=2026-11-30`);
    expect(figures.statusCode, figures.body).toBe(200);
    expect(figures.json().total).toMatchObject({ offered: 2, answered: 1, abandoned: 1 });
    expect((await bearer(secret, "GET", `/api/v1/organisations/${siteA}/dashboard`)).statusCode).toBe(200);
    // Dashboards are read only for this token; requests are not opened at all; Lons is outside its site.
    const requests = await bearer(secret, "GET", `/api/v1/organisations/${siteA}/requests`);
    expect(requests.statusCode).toBe(403);
    expect(requests.json().error).toBe("Ce jeton d'API n'ouvre pas le module « Demandes des usagers ».");
    expect((await bearer(secret, "POST", `/api/v1/organisations/${siteB}/calls`, { calls })).statusCode).toBe(404);
    // The administrator's own rights do not leak into the service account's token.
    expect((await bearer(secret, "GET", "/api/v1/accounts")).statusCode).toBe(403);

    const tokenId = new RegExp(`action="/admin/service-accounts/${accountId}/tokens/([0-9a-f-]{36})/revoke"`).exec(
      (await admin.get("/admin/service-accounts")).body,
    )?.[1];
    expect((await agent.post(`/admin/service-accounts/${accountId}/tokens/${tokenId}/revoke`, {})).statusCode).toBe(403);
    expect((await admin.post(`/admin/service-accounts/${accountId}/tokens/${tokenId}/revoke`, {})).statusCode).toBe(303);
    expect((await bearer(secret, "GET", `/api/v1/organisations/${siteA}/dashboard`)).statusCode).toBe(401);
  });

  it("bad, revoked and expired tokens get 401 with a French message; the header means nothing outside /api/v1", async () => {
    const bad = await bearer("vig_pasunvraijeton", "GET", "/api/v1/me");
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error).toContain("Jeton d'API inconnu, expiré ou révoqué");
    const secret = await createToken(agent, { name: "À révoquer", scope: "read" });
    expect((await bearer(secret, "GET", "/api/v1/me")).statusCode).toBe(200);
    // Pages are for people: a bearer token does not open them.
    expect((await bearer(secret, "GET", "/compte")).statusCode).not.toBe(200);
    const page = await agent.get("/compte/jetons");
    const id =
      /action="\/compte\/jetons\/([0-9a-f-]{36})\/revoke"[\s\S]*?À révoquer/.exec(page.body)?.[1] ??
      /action="\/compte\/jetons\/([0-9a-f-]{36})\/revoke"/.exec(page.body)?.[1];
    expect(id).toBeDefined();
    const revoked = await agent.post(`/compte/jetons/${id}/revoke`, {});
    expect(revoked.statusCode).toBe(303);
    const after = await bearer(secret, "GET", "/api/v1/me");
    expect(after.statusCode).toBe(401);
    expect(after.json().error).toContain("révoqué");
    // Someone else's token is not revoked by its id.
    const mine = await createToken(admin, { name: "Admin", scope: "read" });
    const adminPage = await admin.get("/compte/jetons");
    const adminTokenId = /action="\/compte\/jetons\/([0-9a-f-]{36})\/revoke"/.exec(adminPage.body)?.[1];
    expect((await agent.post(`/compte/jetons/${adminTokenId}/revoke`, {})).statusCode).toBe(404);
    expect((await bearer(mine, "GET", "/api/v1/me")).statusCode).toBe(200);
    // Expired: moved past its date in the database, as time would.
    await t.database.db
      .updateTable("api_tokens" as never)
      .set({ expires_at: new Date(Date.now() - 1000) } as never)
      .execute();
    expect((await bearer(mine, "GET", "/api/v1/me")).statusCode).toBe(401);
  });

  it("a person who loses a role loses it through the token too", async () => {
    const secret = await createToken(agent, { name: "Suivi", scope: "write" });
    expect((await bearer(secret, "GET", `/api/v1/organisations/${siteA}/requests`)).statusCode).toBe(200);
    const removed = await admin.api("DELETE", `/api/v1/accounts/${agentId}/grants?orgId=${network}&role=agent`);
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await bearer(secret, "GET", `/api/v1/organisations/${siteA}/requests`)).statusCode).toBe(404);
    expect((await bearer(secret, "POST", `/api/v1/organisations/${siteA}/requests`, REQUEST)).statusCode).toBe(404);
  });

  it("the OpenAPI document declares the bearer scheme", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/api/docs/json" })).json();
    expect(doc.components.securitySchemes.jeton).toMatchObject({ type: "http", scheme: "bearer" });
  });
});
