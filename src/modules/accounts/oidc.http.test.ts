import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, adminClient, Client, startTestApp, type TestApp } from "../../../test/support/app.ts";
import { signInAtProvider, startTestProvider, type TestProvider } from "../../../test/support/oidc-provider.ts";

const BASE = "http://vigie.test";

/** Presses the provider's button on the sign-in page, signs in at the provider, and comes back to Vigie. */
async function signIn(_t: TestApp, c: Client, providerId: string, login: string | "refuse") {
  await c.get("/login");
  const start = await c.get(`/oidc/${providerId}/start`);
  expect(start.statusCode).toBe(303);
  const location = String(start.headers.location);
  expect(location).toContain("code_challenge_method=S256");
  const back = await signInAtProvider(location, login);
  expect(back.startsWith(`${BASE}/oidc/callback?`)).toBe(true);
  return c.get(back.slice(BASE.length));
}

describe("sign-in through a real OpenID provider (ProConnect mode)", () => {
  let t: TestApp;
  let provider: TestProvider;
  let admin: Client;
  let providerId = "";
  let poissy = "";

  beforeAll(async () => {
    t = await startTestApp({ BASE_URL: BASE });
    provider = await startTestProvider(BASE, { signedUserinfo: true });
    admin = await adminClient(t);
    poissy = (
      await admin.api("POST", "/api/v1/organisations", {
        name: "Ville de Poissy",
        kind: "site",
        timeZone: "Europe/Paris",
        holidayZone: "metropole",
      })
    ).json().id;
  });
  afterAll(async () => {
    await t.close();
    await provider.close();
  });

  it("refuses an issuer that does not answer, in French, and saves nothing", async () => {
    await admin.get("/admin/sign-in/providers/new");
    const response = await admin.post("/admin/sign-in/providers/new", {
      label: "ProConnect",
      issuer: "http://127.0.0.1:9/nulle-part",
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      scopes: "openid email",
      emailClaim: "email",
      givenNameClaim: "given_name",
      familyNameClaim: "family_name",
      usualNameClaim: "usual_name",
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("Le fournisseur d&#39;identité ne répond pas à l&#39;adresse");
    expect(response.body).not.toContain(provider.clientSecret);
    expect(await t.database.db.selectFrom("oidc_providers").selectAll().execute()).toHaveLength(0);
  });

  it("saves a provider after discovery, with its secret encrypted and never shown back", async () => {
    const response = await admin.post("/admin/sign-in/providers/new", {
      label: "ProConnect",
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      scopes: "openid email given_name usual_name siret idp_id",
      emailClaim: "email",
      givenNameClaim: "given_name",
      familyNameClaim: "family_name",
      usualNameClaim: "usual_name",
      proconnect: "true",
    });
    expect(response.statusCode).toBe(303);
    providerId = String(response.headers.location).split("/")[4]?.split("?")[0] ?? "";
    const row = await t.database.db.selectFrom("oidc_providers").selectAll().executeTakeFirstOrThrow();
    expect(row.client_secret_sealed).not.toContain(provider.clientSecret);
    const page = await admin.get(`/admin/sign-in/providers/${providerId}`);
    expect(page.body).toContain("La déconnexion de Vigie déconnecte aussi du fournisseur.");
    expect(page.body).not.toContain(provider.clientSecret);
    const rule = await admin.post(`/admin/sign-in/providers/${providerId}/rules`, {
      claim: "siret",
      value: "21780498600018",
      orgId: poissy,
      role: "correspondent",
    });
    expect(rule.statusCode).toBe(303);
  });

  it("shows the ProConnect button on the sign-in page, without JavaScript", async () => {
    const page = await new Client(t.app).get("/login");
    expect(page.body).toContain(`href="/oidc/${providerId}/start"`);
    expect(page.body).toContain('<span class="fr-connect__brand">ProConnect</span>');
    expect(page.body).toContain("Qu&#39;est-ce que ProConnect ?");
  });

  it("creates an account at first sign-in with the role the SIRET rule gives, then matches by subject", async () => {
    const c = new Client(t.app);
    const back = await signIn(t, c, providerId, "agent-poissy");
    expect(back.statusCode).toBe(303);
    const me = (await c.api("GET", "/api/v1/me")).json();
    expect(me.email).toBe("camille.martin@poissy.fr");
    expect(me.displayName).toBe("Camille Martin");
    expect(me.grants).toEqual([{ orgId: poissy, role: "correspondent" }]);
    const audit = await t.database.db.selectFrom("audit_log").select(["action", "after"]).where("entity_id", "=", me.id).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(["create", "login"]);
    expect(JSON.stringify(audit.find((a) => a.action === "login")?.after)).toContain("21780498600018");

    // Second time: the same account, found by its link, no second creation.
    const again = new Client(t.app);
    await signIn(t, again, providerId, "agent-poissy");
    expect((await again.api("GET", "/api/v1/me")).json().id).toBe(me.id);
    const accounts = await t.database.db.selectFrom("accounts").select("id").where("email", "=", "camille.martin@poissy.fr").execute();
    expect(accounts).toHaveLength(1);
  });

  it("links an existing account by its e-mail, and records the link", async () => {
    const c = new Client(t.app);
    await signIn(t, c, providerId, "admin-idp");
    const me = (await c.api("GET", "/api/v1/me")).json();
    expect(me.email).toBe(ADMIN.email);
    const link = await t.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("entity_id", "=", me.id)
      .where("action", "=", "link")
      .execute();
    expect(link).toHaveLength(1);
  });

  it("refuses, in French, someone with no account and no matching rule, and creates nothing", async () => {
    const c = new Client(t.app);
    const back = await signIn(t, c, providerId, "inconnu");
    expect(back.headers.location).toBe("/login?error=oidc.no_account");
    const page = await c.get("/login?error=oidc.no_account");
    expect(page.body).toContain("Aucun compte Vigie ne correspond à votre identité");
    expect((await c.api("GET", "/api/v1/me")).statusCode).toBe(401);
    expect(await t.database.db.selectFrom("accounts").select("id").where("email", "=", "dominique@ailleurs.fr").execute()).toHaveLength(0);
  });

  it("shows a refusal at the provider as a French message", async () => {
    const c = new Client(t.app);
    const back = await signIn(t, c, providerId, "refuse");
    expect(back.headers.location).toBe("/login?error=oidc.refused");
    const page = await c.get("/login?error=oidc.refused");
    expect(page.body).toContain("Vous avez refusé la connexion chez le fournisseur d&#39;identité");
  });

  it("refuses a callback without the browser's state cookie, a replayed one, and a lower acr", async () => {
    const c = new Client(t.app);
    await c.get("/login");
    const start = await c.get(`/oidc/${providerId}/start`);
    const back = await signInAtProvider(String(start.headers.location), "agent-poissy");
    // Another browser (login CSRF): no state cookie.
    const other = await new Client(t.app).get(back.slice(BASE.length));
    expect(other.headers.location).toBe("/login?error=oidc.expired");
    expect((await c.get(back.slice(BASE.length))).headers.location).toBe("/?ok=welcome");

    provider.acr = "eidas0";
    try {
      const weak = await signIn(t, new Client(t.app), providerId, "agent-poissy");
      expect(weak.headers.location).toBe("/login?error=oidc.acr");
    } finally {
      provider.acr = "eidas1";
    }
    const garbage = await new Client(t.app).get("/oidc/callback?state=x&code=y");
    expect(garbage.headers.location).toBe("/login?error=oidc.expired");
  });

  it("ends the provider's session too at logout", async () => {
    const c = new Client(t.app);
    await signIn(t, c, providerId, "agent-poissy");
    await c.get("/");
    const out = await c.post("/logout", {});
    expect(out.body).toContain("Vous êtes déconnecté de Vigie");
    const href = /<meta http-equiv="refresh" content="0;url=([^"]+)"/.exec(out.body)?.[1] ?? "";
    const location = new URL(href.replaceAll("&amp;", "&"));
    expect(location.origin).toBe(provider.issuer);
    expect(location.searchParams.get("id_token_hint")).toBeTruthy();
    expect(location.searchParams.get("post_logout_redirect_uri")).toBe(`${BASE}/login?ok=logout.provider`);
    expect((await c.api("GET", "/api/v1/me")).statusCode).toBe(401);
  });

  it("turns passwords off only when the administrator is linked, then refuses them on the server", async () => {
    const unlinked = await adminClientFor(t, "second-admin@exemple.fr");
    await unlinked.get("/admin/sign-in");
    const refused = await unlinked.post("/admin/sign-in/passwords", { passwords: "off" });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain("votre compte n&#39;est relié à aucun fournisseur d&#39;identité");

    const linked = new Client(t.app);
    await signIn(t, linked, providerId, "admin-idp");
    await linked.get("/admin/sign-in");
    expect((await linked.post("/admin/sign-in/passwords", { passwords: "off" })).statusCode).toBe(303);
    const login = await new Client(t.app).get("/login");
    expect(login.body).not.toContain('action="/login"');
    const attempt = await new Client(t.app).login(ADMIN.email, ADMIN.password);
    expect(attempt.statusCode).toBe(403);
    expect(attempt.body).toContain("La connexion par mot de passe est désactivée sur cette instance");
    const forgot = new Client(t.app);
    await forgot.get("/password/forgot");
    expect((await forgot.post("/password/forgot", { email: ADMIN.email })).statusCode).toBe(403);
    await linked.get("/admin/sign-in");
    expect((await linked.post("/admin/sign-in/passwords", { passwords: "on" })).statusCode).toBe(303);
    expect((await new Client(t.app).login(ADMIN.email, ADMIN.password)).statusCode).toBe(303);
  });
});

async function adminClientFor(t: TestApp, email: string): Promise<Client> {
  const { createInstanceAdmin } = await import("./accounts.service.ts");
  await createInstanceAdmin(t.database.db, { email, displayName: "Bruno Second", password: ADMIN.password });
  const c = new Client(t.app);
  await c.login(email, ADMIN.password);
  return c;
}
