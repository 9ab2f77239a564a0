import { execFileSync } from "node:child_process";
import { inflateRawSync } from "node:zlib";
import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../src/db/schema.ts";
import { ROLES } from "../src/kernel/roles.ts";
import { createAccount } from "../src/modules/accounts/accounts.service.ts";
import { gridFor } from "../src/modules/mystery/grids.ts";
import { Client, startTestApp, type TestApp } from "./support/app.ts";
import { buildRouteFixture, MARKERS, type RouteFixture } from "./support/route-fixture.ts";

/**
 * Tenants stay apart even when the code slips (issue #19, point 6).
 *
 * Tenant A is the subtree R1 → S1, tenant B the subtree R2 → S2; the fixture gives each site one
 * resource of every kind, with its tenant's marker (« MARQUEUR-A », « MARQUEUR-B ») in its text.
 * The users of A hold each role on R1. Checked, from the route list itself (so a new route is
 * covered as soon as it is declared):
 *  1. every route whose path names a resource is called with A's organisation and B's resource
 *     (one parameter crossed at a time): 404 or 403, and not one B marker in the answer;
 *  2. every page and API read is called by A's users (with A's values, then with B's ids in the
 *     query string): not one B marker in the answer (an unscoped list shows B's rows);
 *  3. every ID a body carries is crossed with B's: refused, no B marker, and, as a control, the
 *     same body with A's ID is accepted (so the refusal is the scope, not a malformed body);
 * and after every write, not one row of B's subtree changed.
 *
 * `test/mutation/run.ts` breaks a scope on purpose in a copy of the code and checks this file fails.
 */

type Tenant = RouteFixture;

/** The sweeps make about two thousand calls: seconds on a quiet machine, minutes on a loaded one. */
const SWEEP_TIMEOUT = 600_000;

/** Path parameters that name a tenant's resource: A's value, or B's when crossed. */
const TENANT_PARAMS: Record<string, (t: Tenant) => string> = {
  orgId: (t) => t.s1,
  accountId: (t) => t.targetAccount,
  requestId: (t) => t.request,
  surveyId: (t) => t.survey,
  key: (t) => t.kioskKey,
  assessmentId: (t) => t.assessment,
  evidenceId: (t) => t.evidence,
  localId: (t) => t.localCommitment,
  actionId: (t) => t.action,
  staffId: (t) => t.staff,
  incidentId: (t) => t.incident,
  importId: (t) => t.callImport,
  campaignId: (t) => t.campaign,
  outboxId: (t) => t.outbox,
  feedbackId: (t) => t.feedback,
  mailboxId: (t) => t.mailbox,
  attachmentId: (t) => t.attachment,
  notificationId: (t) => t.notification,
  endpointId: (t) => t.webhook,
};

/** Path parameters that name nothing a tenant owns: the same value for both. */
const SHARED_PARAMS: Record<string, string> = {
  frameworkId: "sp+2021",
  number: "10",
  index: "1",
  kind: "acknowledgement",
  day: "2030-01-01",
  slug: "accessibilite",
  // OpenID providers and their rules belong to the instance, not to an organisation.
  providerId: "00000000-0000-4000-8000-0000000000a1",
  ruleId: "00000000-0000-4000-8000-0000000000a2",
  // Tokens are revoked among one's own only: the id names nothing another tenant could reach.
  tokenId: "00000000-0000-4000-8000-000000000000",
};

/** Query-string keys that carry an id: crossed with B's on every read. */
const QUERY_IDS = (b: Tenant) => ({
  site: b.s1,
  a: b.campaign,
  b: b.campaign,
  assessment: b.assessment,
  orgId: b.s1,
  number: b.trackingNumber,
});

/** Query strings some reads need to show anything (with A's values). */
const READ_QUERIES: Record<string, (a: Tenant) => string> = {
  "GET /organisations/:orgId/dashboard/compare": () => "indicator=requests.answered_in_time",
  "GET /organisations/:orgId/dashboard/compare.csv": () => "depth=sites",
  "GET /api/v1/organisations/:orgId/dashboard": () => "from=2026-01-01&to=2027-12-31",
  "GET /api/v1/organisations/:orgId/request-indicators": () => "from=2026-01-01&to=2027-12-31",
  "GET /api/v1/organisations/:orgId/call-indicators": () => "from=2026-01-01&to=2027-12-31",
  "GET /organisations/:orgId/review": () => "year=2026",
  "GET /organisations/:orgId/review.pdf": () => "year=2026",
  "GET /organisations/:orgId/obligations": () => "year=2026",
  "GET /organisations/:orgId/mystery/compare": (a) => `a=${a.campaign}&b=${a.campaign}`,
  "GET /track": (a) => `number=${a.trackingNumber}&token=${a.trackingToken}`,
  "GET /organisations/:orgId/surveys/:surveyId/qr.svg": () => "canal=counter",
};

/** The table holding each crossable resource, to send its current version: a stale one would stop a write early. */
const VERSIONED: Record<string, string> = {
  requestId: "requests",
  actionId: "actions",
  staffId: "staff_members",
  incidentId: "incident_reports",
  localId: "local_commitments",
};

/**
 * Bodies for writes whose path names a resource, valid for that resource (VERSION: its current
 * version), so that a missing scope would let the write reach B. A write not listed gets an empty
 * body: it must still change nothing of B and show no B marker.
 */
const WRITE_BODIES: Record<string, Record<string, unknown>> = {
  "POST /organisations/:orgId/requests/:requestId/status": { status: "in_progress", version: "VERSION" },
  "POST /api/v1/organisations/:orgId/requests/:requestId/status": { status: "in_progress", version: "VERSION" },
  "POST /organisations/:orgId/requests/:requestId/holding": { announcedOn: "2027-06-30", note: "Patience", version: "VERSION" },
  "POST /api/v1/organisations/:orgId/requests/:requestId/holding": { announcedOn: "2027-06-30", note: "Patience", version: "VERSION" },
  "POST /organisations/:orgId/requests/:requestId/assignment": { serviceId: "", assigneeId: "", version: "VERSION" },
  "POST /api/v1/organisations/:orgId/requests/:requestId/assignment": { version: "VERSION" },
  "POST /organisations/:orgId/actions/:actionId": { title: "Écrasé", planYear: "2027", version: "VERSION" },
  "POST /organisations/:orgId/actions/:actionId/status": { status: "done", version: "VERSION" },
  "POST /organisations/:orgId/staff/:staffId/active": { active: "false", version: "VERSION" },
  "POST /organisations/:orgId/label": { body: "Écrasé", level: "or", certifiedOn: "2027-01-01" },
  "POST /organisations/:orgId/label/findings": { kind: "remark", text: "Écrasé", dueOn: "2027-06-30" },
  "POST /organisations/:orgId/incidents/:incidentId/triage": { decision: "dismiss", version: "VERSION" },
  "POST /organisations/:orgId/commitments/local/:localId/delete": { version: "VERSION" },
  "PUT /api/v1/organisations/:orgId/local-commitments/:localId": { title: "Écrasé", channels: ["email"], targets: [], version: "VERSION" },
  // A DELETE carries its fields in the query string.
  "DELETE /api/v1/organisations/:orgId/local-commitments/:localId": { version: "VERSION" },
};

/** Static files and the API description: no tenant data, nothing to cross. */
const NO_TENANT_DATA = [/^\/assets\//, /^\/api\/docs/];
/** Ends the session of the user calling it: the matrix of access covers it. */
const SKIPPED = new Set(["POST /logout"]);

interface Call {
  url: string;
  form?: Record<string, string | string[]>;
  json?: unknown;
}

/**
 * Bodies that carry an id. `call(a, x)` builds the call made by A's users with `x` as the id in the
 * body: `x` is B's (must be refused) then, as a control, A's (must be accepted, by `controlRole`).
 */
interface BodyCrossing {
  route: string;
  field: string;
  call: (a: Tenant, x: Tenant, ctx: { formToken: () => Promise<string> }) => Call | Promise<Call>;
  controlRole: (typeof ROLES)[number] | "anonyme";
}

/** A JSON body field that carries an id: crossed in BODY_CROSSINGS, or listed below with the reason it is not. */
const ID_FIELD = /(Id|Ids)$|^(ids|site|sites)$/;
const NOT_CROSSED: Record<string, string> = {
  frameworkId: "un référentiel, commun à toute l'instance",
  baseCommitmentId: "un engagement d'un référentiel, commun à toute l'instance",
  commitmentId: "pas encore vérifié par le service, ni pour une action ni pour un tri (issue #19, point 10)",
};

const ORG_FIELDS = { kind: "service", timeZone: "Europe/Paris", holidayZone: "metropole" };
const NEW_ACCOUNT = (n: string) => ({
  email: `intrus.${n}@test.fr`,
  displayName: "Intrus",
  password: "une phrase de passe solide",
  role: "agent",
});
const TRAINING = { theme: "posture", completedOn: "2026-03-02" };
/** A phone test with every criterion answered « sans objet » (the form prefixes each with `c_`, the API does not). */
const MYSTERY_TEST = { channel: "phone", testedOn: "2027-01-15", tester: "Testeur", comment: "" };
const MYSTERY_ANSWERS = Object.fromEntries(gridFor("phone").criteria.map((c) => [c.id, "na"]));
const MYSTERY_FORM_ANSWERS = Object.fromEntries(gridFor("phone").criteria.map((c) => [`c_${c.id}`, "na"]));

let uniq = 0;
const next = () => String(++uniq);

// Not crossed yet: the `commitmentId` of an action or an incident triage is not checked against the
// organisation's commitments at all (issue #19, point 10); `requirementId` of an evidence upload is
// multipart (the robustness sweep sends it).
const BODY_CROSSINGS: BodyCrossing[] = [
  {
    route: "POST /organisations/new",
    field: "parentId",
    controlRole: "admin",
    call: (_a, x) => ({ url: "/organisations/new", form: { ...ORG_FIELDS, name: `Service ${next()}`, parentId: x.s1 } }),
  },
  {
    route: "POST /api/v1/organisations",
    field: "parentId",
    controlRole: "admin",
    call: (_a, x) => ({ url: "/api/v1/organisations", json: { ...ORG_FIELDS, name: `Service ${next()}`, parentId: x.s1 } }),
  },
  {
    route: "POST /accounts/new",
    field: "orgId",
    controlRole: "admin",
    call: (_a, x) => ({ url: "/accounts/new", form: { ...NEW_ACCOUNT(next()), orgId: x.s1 } }),
  },
  {
    route: "POST /api/v1/accounts",
    field: "orgId",
    controlRole: "admin",
    call: (_a, x) => ({ url: "/api/v1/accounts", json: { ...NEW_ACCOUNT(next()), orgId: x.s1 } }),
  },
  {
    route: "POST /accounts/:accountId/grants",
    field: "orgId",
    controlRole: "admin",
    call: (a, x) => ({ url: `/accounts/${a.targetAccount}/grants`, form: { role: "auditor", orgId: x.s1 } }),
  },
  {
    route: "POST /api/v1/accounts/:accountId/grants",
    field: "orgId",
    controlRole: "admin",
    call: (a, x) => ({ url: `/api/v1/accounts/${a.targetAccount}/grants`, json: { role: "referent", orgId: x.s1 } }),
  },
  {
    route: "POST /organisations/:orgId/requests/:requestId/assignment",
    field: "serviceId",
    controlRole: "agent",
    call: (a, x) => ({ url: `/organisations/${a.s1}/requests/${a.request}/assignment`, form: { serviceId: x.s1, version: "VERSION" } }),
  },
  {
    route: "POST /api/v1/organisations/:orgId/requests/:requestId/assignment",
    field: "serviceId",
    controlRole: "agent",
    call: (a, x) => ({
      url: `/api/v1/organisations/${a.s1}/requests/${a.request}/assignment`,
      json: { serviceId: x.s1, version: "VERSION" },
    }),
  },
  {
    route: "POST /api/v1/organisations/:orgId/requests/:requestId/assignment",
    field: "assigneeId",
    controlRole: "agent",
    call: (a, x) => ({
      url: `/api/v1/organisations/${a.s1}/requests/${a.request}/assignment`,
      json: { assigneeId: x.targetAccount, version: "VERSION" },
    }),
  },
  {
    route: "POST /api/v1/organisations/:orgId/requests",
    field: "serviceId",
    controlRole: "agent",
    call: (a, x) => ({
      url: `/api/v1/organisations/${a.s1}/requests`,
      json: { kind: "request", channel: "email", receivedOn: "2027-05-03", subject: "Sujet", serviceId: x.s1 },
    }),
  },
  {
    route: "POST /organisations/:orgId/actions/bulk",
    field: "ids",
    controlRole: "referent",
    call: (a, x) => ({ url: `/organisations/${a.s1}/actions/bulk`, form: { ids: [x.action], status: "doing" } }),
  },
  {
    route: "POST /organisations/:orgId/staff/trainings",
    field: "staffId",
    controlRole: "referent",
    call: (a, x) => ({ url: `/organisations/${a.s1}/staff/trainings`, form: { ...TRAINING, staffId: x.staff } }),
  },
  {
    route: "POST /organisations/:orgId/mystery",
    field: "sites",
    controlRole: "referent",
    call: (a, x) => ({
      url: `/organisations/${a.s1}/mystery`,
      form: { title: `Campagne ${next()}`, startsOn: "2027-04-01", endsOn: "2027-04-30", channels: ["phone"], sites: [x.s1] },
    }),
  },
  {
    route: "POST /api/v1/public/organisations/:orgId/surveys/:surveyId/responses",
    field: "site",
    controlRole: "anonyme",
    call: async (a, x, ctx) => ({
      url: `/api/v1/public/organisations/${a.s1}/surveys/${a.survey}/responses`,
      json: { formToken: await ctx.formToken(), answers: { overall: 3 }, site: x.s1, channel: "counter" },
    }),
  },
  {
    route: "POST /organisations/:orgId/mystery/:campaignId/tests/new",
    field: "site",
    controlRole: "agent",
    call: (a, x) => ({
      url: `/organisations/${a.s1}/mystery/${a.campaign}/tests/new`,
      form: { ...MYSTERY_TEST, ...MYSTERY_FORM_ANSWERS, site: x.s1 },
    }),
  },
  {
    route: "POST /api/v1/organisations/:orgId/mystery-campaigns/:campaignId/tests",
    field: "site",
    controlRole: "agent",
    call: (a, x) => ({
      url: `/api/v1/organisations/${a.s1}/mystery-campaigns/${a.campaign}/tests`,
      json: { ...MYSTERY_TEST, answers: MYSTERY_ANSWERS, site: x.s1 },
    }),
  },
];

function routeParams(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)|\*/g)].map((m) => m[1] ?? "*");
}

function fillPath(url: string, values: (param: string) => string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, (_, p: string) => values(p));
}

/** Every text a person or a program could read in an answer: headers, body, and inside XLSX and PDF files. */
function readable(response: LightMyRequestResponse): string {
  const raw = response.rawPayload;
  const headers = Object.entries(response.headers)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join("\n");
  let body = raw.toString("utf8");
  if (raw.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) body = unzipText(raw);
  else if (raw.subarray(0, 5).toString() === "%PDF-") {
    try {
      body = execFileSync("pdftotext", ["-q", "-", "-"], { input: raw, encoding: "utf8" });
    } catch {
      // Not a PDF pdftotext reads: the bytes as they are.
    }
  }
  return `${headers}\n${body}`;
}

/** The text of every member of a zip (XLSX) file, read from its central directory. */
function unzipText(zip: Buffer): string {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) return zip.toString("latin1");
  let at = zip.readUInt32LE(end + 16);
  const parts: string[] = [];
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    parts.push((method === 8 ? inflateRawSync(data) : data).toString("utf8"));
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return parts.join("\n");
}

/** B's marker with what follows it, as the answer shows it; undefined when there is none. */
function foreignMarker(response: LightMyRequestResponse): string | undefined {
  const match = new RegExp(`${MARKERS.b}[^"<>\\n]{0,40}`, "i").exec(readable(response));
  return match?.[0];
}

function hasMarker(response: LightMyRequestResponse, marker: string): boolean {
  return readable(response).toLowerCase().includes(marker.toLowerCase());
}

describe("cross-tenant matrix: A's users never reach B", () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  /** A's users: each role on A's region, and the anonymous visitor (public routes only). */
  const users: Array<{ who: string; role: (typeof ROLES)[number] | "anonyme" | "admin de l'instance"; client: Client }> = [];
  const PASSWORD = "mot de passe de test";
  let bSubtree: string[] = [];
  const counted = { path: 0, read: 0, body: 0, writes: 0 };
  let tables: string[] = [];

  /** One fingerprint per table of B's subtree's rows (and B's organisations and accounts). */
  async function snapshotB(): Promise<Map<string, string>> {
    const db = t.database.db;
    const parts = tables.map(
      (table) =>
        sql`select ${table} as t, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ${sql.table(table)} x where x.org_id = any(${sql.val(bSubtree)}::uuid[])`,
    );
    parts.push(
      sql`select 'organisations' as t, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from organisations x where x.id = any(${sql.val(bSubtree)}::uuid[])`,
      sql`select 'accounts' as t, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from accounts x where x.id = ${b.targetAccount}`,
    );
    const { rows } = await sql<{ t: string; h: string }>`${sql.join(parts, sql` union all `)}`.execute(db);
    return new Map(rows.map((r) => [r.t, r.h]));
  }

  function changed(before: Map<string, string>, after: Map<string, string>): string[] {
    return [...after].filter(([k, h]) => before.get(k) !== h).map(([k]) => k);
  }

  async function currentVersion(param: string, id: string): Promise<number> {
    const table = VERSIONED[param];
    if (!table) return 1;
    const { rows } = await sql<{ version: number }>`select version from ${sql.table(table)} where id = ${id}`.execute(t.database.db);
    return rows[0]?.version ?? 1;
  }

  /** The call for a crossed route: its listed body with the crossed resource's version, or an empty one. */
  async function writeCall(method: string, key: string, url: string, crossed: string): Promise<Call> {
    if (method === "GET") return { url };
    const body = WRITE_BODIES[key] ?? {};
    const id = TENANT_PARAMS[crossed]?.(b) ?? "";
    const version = await currentVersion(crossed, id);
    const json = url.startsWith("/api/");
    const filled = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v === "VERSION" ? (json ? version : String(version)) : v]));
    if (method === "DELETE") {
      const query = new URLSearchParams(Object.entries(filled).map(([k, v]) => [k, String(v)])).toString();
      return { url: query ? `${url}?${query}` : url };
    }
    return json ? { url, json: filled } : { url, form: filled as Record<string, string | string[]> };
  }

  async function send(client: Client, method: string, call: Call): Promise<LightMyRequestResponse> {
    if (call.form !== undefined) return client.post(call.url, call.form);
    return client.api(method as "GET", call.url, call.json);
  }

  beforeAll(async () => {
    t = await startTestApp();
    const db = t.database.db;
    const built = await buildRouteFixture(db, PASSWORD);
    a = built.fixture;
    b = built.tenantB;
    bSubtree = (
      await db
        .selectFrom("organisations")
        .select("id")
        .where(sql<boolean>`path && ${sql.val([built.r2.id])}::uuid[]`)
        .execute()
    ).map((r) => r.id);
    const { rows } = await sql<{ table_name: keyof DB & string }>`
      select table_name from information_schema.columns
      where column_name = 'org_id' and table_schema = current_schema()
      order by table_name`.execute(db);
    tables = rows.map((r) => r.table_name);

    for (const role of ROLES) {
      const email = `${role}.a@test.fr`;
      await createAccount(db, built.root, { email, displayName: `${role} de A`, password: PASSWORD, role, orgId: built.r1.id });
      const client = new Client(t.app);
      expect((await client.login(email, PASSWORD)).statusCode).toBe(303);
      users.push({ who: `${role} de A`, role, client });
    }
    const root = new Client(t.app);
    await root.login("root@test.fr", PASSWORD);
    users.push({ who: "administrateur de l'instance", role: "admin de l'instance", client: root });
    const anonymous = new Client(t.app);
    await anonymous.get("/login");
    users.push({ who: "anonyme", role: "anonyme", client: anonymous });
  }, SWEEP_TIMEOUT);
  afterAll(async () => {
    console.log(
      `Matrice entre locataires : ${counted.path} appels avec une ressource de B dans le chemin, ${counted.read} lectures ` +
        `fouillées, ${counted.body} corps portant un identifiant de B ; les lignes de B comparées après ${counted.writes} écritures.`,
    );
    await t?.close();
  });

  const routes = () =>
    t.app.declaredRoutes.filter(
      (r) => r.method !== "HEAD" && !SKIPPED.has(`${r.method} ${r.url}`) && !NO_TENANT_DATA.some((p) => p.test(r.url)),
    );

  it("knows, for every parameter of every route, the value it takes in each tenant", () => {
    const unknown = routes().flatMap((r) =>
      routeParams(r.url)
        .filter((p) => !(p in TENANT_PARAMS) && !(p in SHARED_PARAMS))
        .map(
          (p) =>
            `${r.method} ${r.url} : paramètre « :${p} » inconnu. Ajoutez à test/support/route-fixture.ts une ressource de ce type ` +
            `pour chaque locataire, puis sa valeur à TENANT_PARAMS de test/cross-tenant.test.ts ` +
            `(ou à SHARED_PARAMS s'il ne désigne rien qui appartienne à une organisation).`,
        ),
    );
    expect(unknown, "paramètres de route sans valeur dans la fixture").toEqual([]);
    for (const [name, value] of Object.entries(TENANT_PARAMS)) {
      expect(value(a), `:${name} de A`).toMatch(/\S/);
      expect(value(b), `:${name} de B`).not.toBe(value(a));
    }
  });

  it("crosses every id field of every JSON body (or says why not)", () => {
    const missing = routes().flatMap((r) =>
      r.bodyFields
        .filter((field) => ID_FIELD.test(field) && !(field in NOT_CROSSED))
        .filter((field) => !BODY_CROSSINGS.some((c) => c.route === `${r.method} ${r.url}` && c.field === field))
        .map(
          (field) =>
            `${r.method} ${r.url} : le champ « ${field} » porte un identifiant. Ajoutez à BODY_CROSSINGS de ` +
            `test/cross-tenant.test.ts un appel qui y met celui de B (ou à NOT_CROSSED, avec la raison).`,
        ),
    );
    expect(missing, "champs d'identifiant jamais croisés").toEqual([]);
    const stale = BODY_CROSSINGS.filter((c) => !routes().some((r) => `${r.method} ${r.url}` === c.route)).map((c) => c.route);
    expect(stale, "croisements de corps sans route").toEqual([]);
  });

  it("shows A's users A's own data (so a B marker would be seen if it leaked)", async () => {
    const admin = users.find((u) => u.role === "admin")?.client;
    const agent = users.find((u) => u.role === "agent")?.client;
    if (!admin || !agent) throw new Error("utilisateurs de A absents");
    const pages: Array<[Client, string]> = [
      [agent, `/organisations/${a.s1}/requests/${a.request}`],
      [agent, `/api/v1/organisations/${a.s1}/requests/${a.request}`],
      [admin, "/audit"],
      [admin, "/api/v1/audit"],
      [admin, "/accounts"],
      [admin, "/api/v1/accounts"],
      [agent, `/organisations/${a.s1}/actions`],
      [agent, `/organisations/${a.s1}/staff`],
      [agent, `/organisations/${a.s1}/incidents`],
      [agent, `/organisations/${a.s1}/mystery/${a.campaign}`],
      [agent, `/organisations/${a.s1}/commitments`],
      [agent, `/organisations/${a.s1}/calls`],
    ];
    const blind: string[] = [];
    for (const [client, url] of pages) {
      const response = await client.get(url);
      if (response.statusCode !== 200 || !hasMarker(response, MARKERS.a))
        blind.push(`${url} : ${response.statusCode}, sans « ${MARKERS.a} »`);
    }
    expect(blind, "pages qui ne montrent pas les données de A").toEqual([]);
  });

  it(
    "answers 404 or 403 to A's organisation with B's resource in the path, for every role",
    async () => {
      const failures: string[] = [];
      let before = await snapshotB();
      for (const route of routes()) {
        const params = routeParams(route.url);
        const crossable = params.filter((p) => p !== "orgId" && p in TENANT_PARAMS);
        if (crossable.length === 0) continue;
        const key = `${route.method} ${route.url}`;
        for (const crossed of crossable) {
          const url = fillPath(route.url, (p) =>
            p === crossed ? (TENANT_PARAMS[p]?.(b) ?? "") : (TENANT_PARAMS[p]?.(a) ?? SHARED_PARAMS[p] ?? ""),
          );
          const call = await writeCall(route.method, key, url, crossed);
          for (const { who, role, client } of users) {
            if (role === "anonyme" && route.access.kind !== "public") continue;
            // Without an organisation in the path, the instance admin reaches every account: nothing is crossed.
            if (role === "admin de l'instance" && !params.includes("orgId")) continue;
            const response = await send(client, route.method, call);
            counted.path++;
            const leaked = foreignMarker(response);
            // A read, or a write with a valid body, must say « not found ». A write without a listed body
            // may be refused for its body, or be a no-op: it must still show and change nothing of B.
            const strict = route.method === "GET" || key in WRITE_BODIES;
            const refused = strict ? [403, 404].includes(response.statusCode) : response.statusCode < 500;
            if (!refused || leaked) {
              failures.push(
                `${key} (:${crossed} de B) par ${who}, ${route.method} ${url} : attendu ${strict ? "404 ou 403" : "un refus"}, reçu ${response.statusCode}` +
                  (leaked ? ` ; FUITE : « ${leaked} »` : ""),
              );
            }
            if (route.method !== "GET") {
              const after = await snapshotB();
              counted.writes++;
              const diff = changed(before, after);
              if (diff.length > 0) failures.push(`${key} (:${crossed} de B) par ${who} : a modifié B (${diff.join(", ")})`);
              before = after;
            }
          }
        }
      }
      expect(failures).toEqual([]);
    },
    SWEEP_TIMEOUT,
  );

  it(
    "never shows A's users a B marker on any page or API read, even with B's ids in the query",
    async () => {
      const failures: string[] = [];
      const crossedQuery = new URLSearchParams(QUERY_IDS(b)).toString();
      for (const route of routes().filter((r) => r.method === "GET")) {
        const key = `${route.method} ${route.url}`;
        const path = fillPath(route.url, (p) => TENANT_PARAMS[p]?.(a) ?? SHARED_PARAMS[p] ?? "");
        const own = READ_QUERIES[key]?.(a);
        const urls = [own ? `${path}?${own}` : path, `${path}?${own ? `${own}&` : ""}${crossedQuery}`];
        for (const url of urls) {
          for (const { who, role, client } of users) {
            // The instance admin reaches every tenant: what it is shown is not a leak.
            if (role === "admin de l'instance") continue;
            if (role === "anonyme" && route.access.kind !== "public") continue;
            const response = await client.get(url);
            counted.read++;
            const leaked = foreignMarker(response);
            if (leaked) failures.push(`${key} par ${who}, GET ${url} (${response.statusCode}) : FUITE « ${leaked} »`);
            if (response.statusCode >= 500) failures.push(`${key} par ${who}, GET ${url} : erreur ${response.statusCode}`);
          }
        }
      }
      expect(failures).toEqual([]);
    },
    SWEEP_TIMEOUT,
  );

  it(
    "refuses every id of B carried in a body, changes nothing of B, and accepts A's own id",
    async () => {
      const failures: string[] = [];
      let before = await snapshotB();
      const versionOf = async (requestId: string) =>
        String(
          (await t.database.db.selectFrom("requests").select("version").where("id", "=", requestId).executeTakeFirstOrThrow()).version,
        );
      const withVersion = async (call: Call): Promise<Call> => {
        const version = await versionOf(a.request);
        const swap = (v: unknown) => (v === "VERSION" ? (call.json ? Number(version) : version) : v);
        const form = call.form && Object.fromEntries(Object.entries(call.form).map(([k, v]) => [k, swap(v) as string]));
        const json = call.json && Object.fromEntries(Object.entries(call.json as object).map(([k, v]) => [k, swap(v)]));
        return { url: call.url, ...(form ? { form } : {}), ...(json ? { json } : {}) };
      };
      const ctx = {
        formToken: async () => {
          const page = await new Client(t.app).get(`/api/v1/public/organisations/${a.s1}/surveys/${a.survey}`);
          return String((JSON.parse(page.body) as { formToken?: string }).formToken);
        },
      };
      for (const crossing of BODY_CROSSINGS) {
        const method = crossing.route.split(" ")[0] ?? "POST";
        const isPublic = routes().some((r) => `${r.method} ${r.url}` === crossing.route && r.access.kind === "public");
        for (const { who, role, client } of users) {
          // The instance admin may put anything anywhere: crossing its bodies proves nothing.
          if (role === "admin de l'instance" || (role === "anonyme" && !isPublic)) continue;
          const call = await withVersion(await crossing.call(a, b, ctx));
          const response = await send(client, method, call);
          counted.body++;
          const leaked = foreignMarker(response);
          if (response.statusCode < 400 || response.statusCode >= 500 || leaked) {
            failures.push(
              `${crossing.route} (« ${crossing.field} » de B) par ${who} : attendu un refus, reçu ${response.statusCode}` +
                (leaked ? ` ; FUITE : « ${leaked} »` : ""),
            );
          }
          const after = await snapshotB();
          counted.writes++;
          const diff = changed(before, after);
          if (diff.length > 0)
            failures.push(`${crossing.route} (« ${crossing.field} » de B) par ${who} : a modifié B (${diff.join(", ")})`);
          before = after;
        }
        // The control: the same body with A's own id goes through, so the refusal above was the scope.
        const controller = users.find((u) => u.role === crossing.controlRole);
        if (!controller) throw new Error(`rôle ${crossing.controlRole} absent`);
        const control = await send(controller.client, method, await withVersion(await crossing.call(a, a, ctx)));
        if (control.statusCode >= 400) {
          failures.push(
            `${crossing.route} : le témoin (« ${crossing.field} » de A, par ${controller.who}) est refusé (${control.statusCode}) : ` +
              `le corps de test est faux, le refus ci-dessus ne prouve rien. ${control.body.slice(0, 300)}`,
          );
        }
      }
      expect(failures).toEqual([]);
    },
    SWEEP_TIMEOUT,
  );
});
