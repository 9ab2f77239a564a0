import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, startTestApp, type TestApp } from "./support/app.ts";
import { buildRouteFixture, type RouteFixture } from "./support/route-fixture.ts";

/**
 * « Bad input gets a clear French message and changes nothing; nothing a user types gives a 500. »
 *
 * Every declared route is called by the instance administrator (who may call everything) with a
 * fixed list of hostile inputs: malformed path parameters, query strings of the wrong type,
 * form and JSON bodies of the wrong shape, bodies that are not what the content type says.
 * Checked on every answer: no status ≥ 500; a 400 on a page is a French HTML page, on the API a
 * JSON `{error}`; a refused write changed no row; `<script>` sent anywhere never comes back raw.
 */

const XSS = "<script>alert(1)</script>";
const LONG = "x".repeat(10_000);
const CONTROL = "a\u0000b\u0007c\u202ed\u0008\ufeff";

/** Path parameter values: each replaces one parameter at a time, the others stay valid. */
const HOSTILE_PATH = [
  "pas-un-uuid",
  "00000000-0000-4000-8000-000000000000",
  "..%2F..%2Fetc%2Fpasswd",
  "..",
  "%00",
  "%E0%A4%A",
  "-1",
  "99999999999999999999999",
  "2026-02-31",
  encodeURIComponent(XSS),
  "y".repeat(2_000),
];

/** Keys the routes read from the query string (and a few they do not). */
const QUERY_KEYS = [
  "from",
  "to",
  "year",
  "q",
  "queue",
  "channel",
  "site",
  "status",
  "number",
  "token",
  "a",
  "b",
  "canal",
  "version",
  "page",
  "month",
  "kind",
  "next",
  "ok",
  "role",
  "period",
  "format",
];

const q = (pairs: [string, string][]) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
const everyKey = (value: string) => q(QUERY_KEYS.map((k) => [k, value]));
const HOSTILE_QUERY = [
  `${q([
    ["from", "2026-02-31"],
    ["from", "x"],
    ["to", "2026-13-01"],
  ])}&site[]=1&site[a]=2`,
  everyKey("x"),
  everyKey("2026-02-31"),
  everyKey("99999999999999999999999"),
  everyKey("-1"),
  everyKey("1e400"),
  everyKey(""),
  everyKey(XSS),
  everyKey(CONTROL),
  everyKey("z".repeat(2_000)),
  QUERY_KEYS.map((k) => `${k}=1&${k}=2&${k}[]=3`).join("&"),
  "from=%E0%A4%A&to=%&year=%ZZ",
];

/** Field names the forms and API schemas read, plus unknown ones. */
const FIELDS = [
  "name",
  "kind",
  "parentId",
  "timeZone",
  "holidayZone",
  "addressStreet",
  "addressPostcode",
  "addressCity",
  "siret",
  "email",
  "displayName",
  "password",
  "role",
  "orgId",
  "instanceAdmin",
  "active",
  "version",
  "title",
  "body",
  "compliance",
  "frameworkId",
  "channels",
  "targets",
  "subject",
  "channel",
  "receivedOn",
  "requesterName",
  "requesterAddress",
  "requesterPhone",
  "status",
  "serviceId",
  "assigneeId",
  "announcedOn",
  "day",
  "label",
  "payload",
  "template",
  "overall",
  "comment",
  "questionId",
  "answers",
  "rotateKiosk",
  "inviteAfterAnswer",
  "op",
  "secondsPerRing",
  "startsOn",
  "endsOn",
  "sites",
  "testedOn",
  "tester",
  "year",
  "requirementId",
  "note",
  "description",
  "occurredOn",
  "decision",
  "planYear",
  "dueOn",
  "leverIds",
  "theme",
  "staffId",
  "scheme",
  "text",
  "confirm",
  "dryRun",
  "mapping",
  "columns",
  "number",
  "token",
  "value",
  "on",
  "hours",
  "answer",
  "r1-id",
  "ids",
  "unknownField",
  "__proto__",
];

const all = (value: unknown) => Object.fromEntries(FIELDS.map((f) => [f, value]));
const FORM_VALUES: (string | string[])[] = [
  "",
  "   ",
  XSS,
  LONG,
  CONTROL,
  "-1",
  "0",
  "99999999999999999999999",
  "1e400",
  "NaN",
  "2026-02-31",
  "true",
  "pas-un-uuid",
  "00000000-0000-4000-8000-000000000000",
  ["a", "b"],
  [XSS, ""],
];
const JSON_BODIES: unknown[] = [
  {},
  { unknownField: XSS },
  all(12345),
  all(-1),
  all(1e308),
  all(""),
  all(XSS),
  all(LONG),
  all(CONTROL),
  all(null),
  all(true),
  all([1, "a", null]),
  all({ nested: { deeper: [XSS] } }),
  all("2026-02-31"),
  all("pas-un-uuid"),
  [],
  [all(XSS)],
  "chaîne",
  42,
  null,
];
/** Raw payloads: [content type, body]. */
const RAW_BODIES: [string, string][] = [
  ["application/json", "{ pas du json"],
  ["application/json", ""],
  ["application/json", '{"a":'],
  ["text/plain", JSON.stringify(all(XSS))],
  ["application/x-www-form-urlencoded", q(FIELDS.map((f) => [f, XSS]))],
  ["application/xml", `<a>${XSS}</a>`],
  ["multipart/form-data; boundary=xyz", '--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\n<script>\r\n--xyz--'],
  ["multipart/form-data", "pas de frontière"],
];

/**
 * Bodies that pass the type checks (valid kinds, dates, a stale version) with hostile text in every
 * free-text field: the text reaches the services and the database, and comes back on the pages.
 */
const TEXT_FIELDS = [
  "name",
  "displayName",
  "title",
  "body",
  "subject",
  "requesterName",
  "requesterAddress",
  "requesterPhone",
  "addressStreet",
  "addressCity",
  "description",
  "comment",
  "note",
  "label",
  "text",
  "theme",
  "tester",
];
const TEXT_VALUES = [XSS, LONG.slice(0, 3_000), "a\u0007b\u202ec\u0008\ufeff", "😀 émoji ﷽ 𝕏", "'; drop table organisations; --"];
const plausible = (text: string, json: boolean): Record<string, unknown> => ({
  kind: "site",
  timeZone: "Europe/Paris",
  holidayZone: "metropole",
  email: "robustesse@test.fr",
  password: "un mot de passe assez long",
  role: "agent",
  channel: "phone",
  channels: json ? ["phone"] : "phone",
  targets: json ? [] : "",
  receivedOn: "2026-05-04",
  occurredOn: "2026-05-04",
  startsOn: "2026-01-01",
  endsOn: "2026-03-31",
  testedOn: "2026-02-02",
  day: "2030-05-06",
  year: json ? 2026 : "2026",
  planYear: json ? 2026 : "2026",
  template: "on-the-spot",
  status: "open",
  decision: "dismiss",
  version: json ? 999 : "999",
  ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, text])),
});

type Fixture = RouteFixture;

function validParams(f: Fixture, url: string): Record<string, string> {
  return {
    orgId: f.s1 ?? "",
    accountId: f.targetAccount ?? "",
    localId: f.localCommitment ?? "",
    requestId: f.request ?? "",
    surveyId: f.survey ?? "",
    key: f.kioskKey ?? "",
    assessmentId: f.assessment ?? "",
    evidenceId: f.evidence ?? "",
    actionId: f.action ?? "",
    staffId: f.staff ?? "",
    incidentId: f.incident ?? "",
    importId: f.callImport ?? "",
    campaignId: f.campaign ?? "",
    mailboxId: f.mailbox ?? "",
    attachmentId: f.attachment ?? "",
    notificationId: f.notification ?? "",
    endpointId: f.webhook ?? "",
    tokenId: "00000000-0000-4000-8000-000000000000",
    day: "2030-01-01",
    kind: url.includes("/requests/:requestId/letters/") ? "acknowledgement" : "answer",
    index: "1",
    frameworkId: "marianne-2016",
    number: "10",
    slug: "mentions-legales",
    providerId: f.oidcProvider ?? "",
    ruleId: f.oidcRule ?? "",
    "*": url.startsWith("/assets/fonts") ? "atkinson-hyperlegible-latin-400-normal.woff2" : "swagger-ui.css",
  };
}

function fill(url: string, values: Record<string, string>): string {
  return url.replace(/:([A-Za-z]+)|\*/g, (whole, name: string | undefined) => values[name ?? "*"] ?? whole);
}

function paramNames(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z]+)|\*/g)].map((m) => m[1] ?? "*");
}

/** Routes not called: they end the session or cannot be reached with a user's input. */
const SKIPPED = new Set(["POST /logout"]);

describe("robustness: hostile input on every route", () => {
  let t: TestApp;
  let fixture: Fixture;
  let cookies = "";
  let csrf = "";

  beforeAll(async () => {
    t = await startTestApp();
    const PASSWORD = "mot de passe de test";
    fixture = (await buildRouteFixture(t.database.db, PASSWORD)).fixture;
    const client = new Client(t.app);
    expect((await client.login("root@test.fr", PASSWORD)).statusCode).toBe(303);
    cookies = ["vigie_session", "vigie_csrf"].map((name) => `${name}=${client.cookie(name) ?? ""}`).join("; ");
    csrf = client.csrf;
    expect(csrf).not.toBe("");
  });
  afterAll(() => t.close());

  /** Rows that any write would add or change: the audit log (every write goes there) and the main tables. */
  async function snapshot(): Promise<string> {
    const tables = ["audit_log", "organisations", "accounts", "grants", "requests", "local_commitments", "org_closures", "surveys"];
    const { rows } = await sql<{
      n: string;
    }>`select ${sql.raw(tables.map((x) => `(select count(*) from ${x})`).join(" || ',' || "))} as n`.execute(t.database.db);
    return String(rows[0]?.n);
  }

  function inject(method: string, url: string, body?: { type: string; payload: string }): Promise<LightMyRequestResponse> {
    return t.app.inject({
      method: method as "GET",
      url,
      headers: { cookie: cookies, ...(body ? { "content-type": body.type } : {}) },
      ...(body ? { payload: body.payload } : {}),
    });
  }

  it("answers every hostile input without a 500, with a French message, and changes nothing it refused", async () => {
    const routes = t.app.declaredRoutes.filter((r) => r.method !== "HEAD" && !SKIPPED.has(`${r.method} ${r.url}`));
    const failures: string[] = [];
    let calls = 0;
    let plausibleAccepted = 0;

    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      const api = route.url.startsWith("/api/");
      const write = route.method !== "GET";
      const valid = validParams(fixture, route.url);
      const validUrl = fill(route.url, valid);

      const cases: { label: string; url: string; body?: { type: string; payload: string } }[] = [];
      for (const name of paramNames(route.url)) {
        for (const value of HOSTILE_PATH)
          cases.push({ label: `:${name}=${value.slice(0, 40)}`, url: fill(route.url, { ...valid, [name]: value }) });
      }
      for (const query of HOSTILE_QUERY) cases.push({ label: `?${query.slice(0, 60)}`, url: `${validUrl}?${query}` });
      if (write) {
        for (const value of FORM_VALUES) {
          const pairs: [string, string][] = [["_csrf", csrf]];
          for (const f of FIELDS) for (const one of Array.isArray(value) ? value : [value]) pairs.push([f, one]);
          cases.push({
            label: `form ${JSON.stringify(value).slice(0, 40)}`,
            url: validUrl,
            body: { type: "application/x-www-form-urlencoded", payload: q(pairs) },
          });
        }
        cases.push({
          label: "form vide",
          url: validUrl,
          body: { type: "application/x-www-form-urlencoded", payload: q([["_csrf", csrf]]) },
        });
        cases.push({
          label: "form inconnu",
          url: validUrl,
          body: {
            type: "application/x-www-form-urlencoded",
            payload: q([
              ["_csrf", csrf],
              ["champInconnu", XSS],
              ["a[b][c]", "1"],
            ]),
          },
        });
        for (const json of JSON_BODIES) {
          cases.push({
            label: `json ${JSON.stringify(json).slice(0, 40)}`,
            url: validUrl,
            body: { type: "application/json", payload: JSON.stringify(json) },
          });
        }
        for (const text of TEXT_VALUES) {
          const form = plausible(text, false);
          cases.push({
            label: `form plausible ${text.slice(0, 20)}`,
            url: validUrl,
            body: {
              type: "application/x-www-form-urlencoded",
              payload: q([["_csrf", csrf], ...Object.entries(form).map(([k, v]) => [k, String(v)] as [string, string])]),
            },
          });
          cases.push({
            label: `json plausible ${text.slice(0, 20)}`,
            url: validUrl,
            body: { type: "application/json", payload: JSON.stringify(plausible(text, true)) },
          });
        }
        for (const [type, payload] of RAW_BODIES)
          cases.push({ label: `${type} ${payload.slice(0, 30)}`, url: validUrl, body: { type, payload } });
      }

      for (const c of cases) {
        const before = write ? await snapshot() : "";
        const response = await inject(route.method, c.url, c.body);
        calls++;
        const where = `${key} ${c.label}`;
        const status = response.statusCode;
        const type = String(response.headers["content-type"] ?? "");
        if (c.label.includes("plausible") && status < 400) plausibleAccepted++;
        if (status >= 500) {
          failures.push(`${where} : erreur ${status}`);
          continue;
        }
        if (type.includes("text/html") && response.body.includes(XSS)) failures.push(`${where} : <script> renvoyé tel quel`);
        if (status === 400) {
          if (api && !(type.includes("application/json") && typeof response.json().error === "string")) {
            failures.push(`${where} : 400 sans {error} JSON`);
          }
          if (
            !api &&
            !(
              type.includes("text/html") &&
              response.body.includes('lang="fr"') &&
              /fr-alert--error|fr-error-text|fr-text--lead/.test(response.body)
            )
          ) {
            failures.push(`${where} : 400 sans page d'erreur en français`);
          }
        }
        if (write && status >= 400 && (await snapshot()) !== before)
          failures.push(`${where} : refusé (${status}) mais des lignes ont changé`);
      }
    }
    // What was stored above comes back on the pages: escaped, never as markup.
    for (const route of routes) {
      if (route.method !== "GET" || route.url.startsWith("/api/")) continue;
      const response = await inject("GET", fill(route.url, validParams(fixture, route.url)));
      calls++;
      if (response.statusCode >= 500) failures.push(`GET ${route.url} après les envois : erreur ${response.statusCode}`);
      if (String(response.headers["content-type"]).includes("text/html") && response.body.includes(XSS)) {
        failures.push(`GET ${route.url} après les envois : <script> enregistré puis affiché tel quel`);
      }
    }
    console.log(`robustesse : ${routes.length} routes, ${calls} appels, ${plausibleAccepted} envois plausibles acceptés`);
    // The hostile text did reach the services and the database (organisations, requests, staff… created with it).
    expect(plausibleAccepted).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  }, 600_000);
});
