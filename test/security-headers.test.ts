import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, startTestApp, type TestApp } from "./support/app.ts";
import { buildRouteFixture, type RouteFixture } from "./support/route-fixture.ts";

/**
 * Every declared route, called by the instance administrator and by a stranger, GET and writes alike:
 * whatever the answer (page, redirect to the login, 404, refused write, file), it carries the
 * security headers. Written out here, not imported from the plugin: a weakened policy fails.
 */
const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const PASSWORD = "un mot de passe solide";
const WIDGET = "/public/organisations/:orgId/widget";
/** Files that may carry what a user uploaded: served in a sandbox of their own. */
const SANDBOXED = new Set(["/public/organisations/:orgId/logo", "/organisations/:orgId/assessments/:assessmentId/evidence/:evidenceId"]);

/** A value for each path parameter, from the fixture. */
function paramValue(name: string, f: RouteFixture): string {
  const values: Record<string, string> = {
    orgId: f.s1,
    surveyId: f.survey,
    assessmentId: f.assessment,
    evidenceId: f.evidence,
    actionId: f.action,
    accountId: f.targetAccount,
    campaignId: f.campaign,
    incidentId: f.incident,
    staffId: f.staff,
    importId: f.callImport,
    requestId: f.request,
    commitmentId: f.localCommitment,
    key: f.kioskKey,
    index: "0",
    kind: "acknowledgement",
    localId: f.localCommitment,
    day: "1999-01-01",
    outboxId: "00000000-0000-4000-8000-000000000000",
    number: "1",
    slug: "accessibilite",
    frameworkId: "marianne-2016",
    providerId: f.oidcProvider,
    ruleId: f.oidcRule,
    mailboxId: f.mailbox,
    attachmentId: f.attachment,
    notificationId: f.notification,
    endpointId: f.webhook,
    feedbackId: f.feedback,
    tokenId: "00000000-0000-4000-8000-000000000000",
  };
  const value = values[name];
  if (value === undefined) throw new Error(`Paramètre de chemin sans valeur dans ce test : ${name}`);
  return value;
}

function concreteUrl(url: string, f: RouteFixture, stylesheets: Record<string, string>): string {
  if (url.startsWith("/assets/dsfr/")) return "/assets/dsfr/dsfr.module.min.js";
  if (url.startsWith("/assets/fonts/")) return "/assets/fonts/atkinson-hyperlegible-latin-400-normal.woff2";
  if (url.startsWith("/api/docs/static/*")) return "/api/docs/static/swagger-ui.css";
  if (url === "/track") return `/track?number=${f.trackingNumber}&token=${f.trackingToken}`;
  return stylesheets[url] ?? url.replace(/:([A-Za-z]+)/g, (_m, name: string) => paramValue(name, f));
}

function expectHeaders(response: LightMyRequestResponse, route: string, url: string): void {
  const h = response.headers;
  const where = `${route} (${url}) → ${response.statusCode}`;
  expect(h["x-content-type-options"], where).toBe("nosniff");
  expect(h["cross-origin-opener-policy"], where).toBe("same-origin");
  const path = url.split("?")[0] ?? "";
  const tokenInUrl = path === "/track" || path.startsWith("/s/") || path.startsWith("/borne/") || path === "/password/reset";
  expect(h["referrer-policy"], where).toBe(tokenInUrl ? "no-referrer" : "strict-origin-when-cross-origin");
  expect(h["strict-transport-security"], where).toBeUndefined();
  if (route === WIDGET && response.statusCode === 200) {
    expect(h["x-frame-options"], where).toBeUndefined();
    expect(String(h["content-security-policy"]), where).toContain("frame-ancestors *");
    expect(String(h["content-security-policy"]), where).not.toContain("unsafe-inline");
  } else if (SANDBOXED.has(route) && response.statusCode === 200) {
    expect(h["x-frame-options"], where).toBe("DENY");
    expect(h["content-security-policy"], where).toBe("sandbox");
  } else if (path === "/api/docs" || path.startsWith("/api/docs/")) {
    // Swagger UI's own style block, by hash only.
    expect(h["x-frame-options"], where).toBe("DENY");
    expect(h["content-security-policy"], where).toBe(
      STRICT_CSP.replace("style-src 'self'", "style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"),
    );
  } else {
    expect(h["x-frame-options"], where).toBe("DENY");
    expect(h["content-security-policy"], where).toBe(STRICT_CSP);
  }
}

describe("security headers", () => {
  let t: TestApp;
  let f: RouteFixture;
  beforeAll(async () => {
    t = await startTestApp();
    ({ fixture: f } = await buildRouteFixture(t.database.db, PASSWORD));
  });
  afterAll(async () => t?.close());

  it("are on every answer of every declared route, for the administrator and for a stranger", async () => {
    const stylesheets: Record<string, string> = {};
    const routes = t.app.declaredRoutes.filter((r) => r.method !== "HEAD");
    for (const r of routes) if (r.url.startsWith("/assets/vigie")) stylesheets[r.url] = r.url;
    const admin = new Client(t.app);
    await admin.login("root@test.fr", PASSWORD);
    const stranger = new Client(t.app);
    const statuses = new Set<number>();
    let sandboxed = 0;
    // Reads first, while the logo and the evidence are still there; writes (refused or not) afterwards.
    const ordered = [...routes.filter((r) => r.method === "GET"), ...routes.filter((r) => r.method !== "GET")];
    for (const r of ordered) {
      const route = r.url;
      const url = concreteUrl(route, f, stylesheets);
      for (const client of [stranger, admin]) {
        const response =
          r.method === "GET"
            ? await client.get(url)
            : route.startsWith("/api/")
              ? await client.api(r.method as "POST" | "PUT" | "PATCH" | "DELETE", url, {})
              : await client.post(url, {});
        statuses.add(response.statusCode);
        if (SANDBOXED.has(route) && response.statusCode === 200) sandboxed++;
        expectHeaders(response, route, url);
      }
    }
    // The sweep did meet pages, redirects to the login, refusals and missing things.
    for (const status of [200, 303, 400, 404]) expect(statuses).toContain(status);
    expect(sandboxed).toBeGreaterThanOrEqual(2);
  });

  it("answer an unknown address, a malformed one and a refused write with the same headers", async () => {
    const stranger = new Client(t.app);
    for (const url of ["/nulle-part", "/organisations/%E0%A4%A", "/s/pas-un-uuid/x"]) {
      const response = await stranger.get(url);
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expectHeaders(response, "unknown", url);
    }
    const refused = await stranger.post("/login", { _csrf: "faux", email: "x", password: "y" });
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expectHeaders(refused, "POST /login", "/login");
  });

  it("let any site frame the widget, and no other page", async () => {
    const widget = await new Client(t.app).get(`/public/organisations/${f.s1}/widget`);
    expect(widget.statusCode).toBe(200);
    expect(widget.headers["x-frame-options"]).toBeUndefined();
    const csp = String(widget.headers["content-security-policy"]);
    expect(csp).toContain("frame-ancestors *");
    // Its one style block is allowed by its hash, not by 'unsafe-inline'.
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(csp).toContain("script-src 'self'");
    const results = await new Client(t.app).get(`/public/organisations/${f.s1}/results`);
    expect(results.headers["x-frame-options"]).toBe("DENY");
    expect(results.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  });
});

describe("Strict-Transport-Security", () => {
  it("is sent only when the instance is served over https", async () => {
    const t = await startTestApp({ BASE_URL: "https://vigie.exemple.fr" });
    try {
      for (const url of ["/", "/login", "/nulle-part"]) {
        const response = await new Client(t.app).get(url);
        expect(response.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
      }
    } finally {
      await t.close();
    }
  });
});
