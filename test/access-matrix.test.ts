import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, ROLES, type Role } from "../src/kernel/roles.ts";
import { createAccount, createServiceAccount } from "../src/modules/accounts/accounts.service.ts";
import { apiModuleOf, type ModuleScopes, tokenLevel } from "../src/modules/integrations/api-modules.ts";
import { createServiceToken, createToken } from "../src/modules/integrations/tokens.service.ts";
import { Client, startTestApp, type TestApp } from "./support/app.ts";
import { buildRouteFixture, type RouteFixture } from "./support/route-fixture.ts";

/**
 * Every route, called by every role from inside and from outside the target's subtree.
 * The expectations are written here by hand, not read from the routes: a route that
 * declares the wrong access fails, and a route missing from this table fails too.
 *
 * Fixture: network N → region R1 → site S1 (the target) ; N → region R2 → site S2.
 * "inside" actors hold their role on R1 (so on S1), "outside" actors on R2.
 */
type Rule =
  | "public"
  | "session"
  | "instance-admin"
  /** Nobody once the instance is set up. */
  | "closed"
  /** These roles, on the target's subtree only. */
  | { subtree: Role[] }
  /** These roles, wherever they hold them (the page shows each its own reach). */
  | { anywhere: Role[] };

type Fixture = RouteFixture;

interface Call {
  url: string;
  form?: Record<string, string>;
  json?: unknown;
}

interface Entry {
  rule: Rule;
  call: (f: Fixture) => Call;
}

const ALL: Role[] = [...ROLES];
/** Who adopts a framework and writes local commitments. */
const MANAGERS: Role[] = ["admin", "correspondent", "referent"];
/** Who edits an organisation's details and calendar. */
const EDITORS: Role[] = ["admin", "correspondent", "referent"];
/** Who registers and handles requests (the correspondent and the auditor read them). */
const WRITERS: Role[] = ["admin", "referent", "agent"];
/** Who manages an organisation's webhooks. */
const INTEGRATORS: Role[] = ["admin", "correspondent"];
const SITE_FIELDS = { name: "X", kind: "site", timeZone: "Europe/Paris", holidayZone: "metropole" };

// Bodies are chosen so an allowed call changes nothing lasting: a stale version (409) or a field left out (400).
const MATRIX: Record<string, Entry> = {
  "GET /assets/vigie.[hash].css": { rule: "public", call: () => ({ url: "STYLESHEET" }) },
  "GET /assets/vigie-public.[hash].css": { rule: "public", call: () => ({ url: "PUBLIC_STYLESHEET" }) },
  "GET /assets/dsfr/*": { rule: "public", call: () => ({ url: "/assets/dsfr/dsfr.module.min.js" }) },
  "GET /assets/fonts/*": { rule: "public", call: () => ({ url: "/assets/fonts/atkinson-hyperlegible-latin-400-normal.woff2" }) },
  "GET /api/docs": { rule: "public", call: () => ({ url: "/api/docs" }) },
  "GET /api/docs/json": { rule: "public", call: () => ({ url: "/api/docs/json" }) },
  "GET /api/docs/yaml": { rule: "public", call: () => ({ url: "/api/docs/yaml" }) },
  "GET /api/docs/static/*": { rule: "public", call: () => ({ url: "/api/docs/static/swagger-ui.css" }) },
  "GET /api/docs/static/index.html": { rule: "public", call: () => ({ url: "/api/docs/static/index.html" }) },
  "GET /api/docs/static/swagger-initializer.js": { rule: "public", call: () => ({ url: "/api/docs/static/swagger-initializer.js" }) },
  "GET /": { rule: "public", call: () => ({ url: "/" }) },
  "GET /health/live": { rule: "public", call: () => ({ url: "/health/live" }) },
  // The database is up during the matrix: ready.
  "GET /health/ready": { rule: "public", call: () => ({ url: "/health/ready" }) },
  "GET /login": { rule: "public", call: () => ({ url: "/login" }) },
  "POST /login": { rule: "public", call: () => ({ url: "/login", form: { email: "" } }) },
  "POST /logout": { rule: "session", call: () => ({ url: "/logout", form: {} }) },
  // Starting a sign-in sends the browser to the provider (303); the callback without a state goes back to /login.
  "GET /oidc/:providerId/start": { rule: "public", call: (f) => ({ url: `/oidc/${f.oidcProvider}/start` }) },
  "GET /oidc/callback": { rule: "public", call: () => ({ url: "/oidc/callback" }) },
  "GET /admin/sign-in": { rule: "instance-admin", call: () => ({ url: "/admin/sign-in" }) },
  "POST /admin/sign-in/passwords": { rule: "instance-admin", call: () => ({ url: "/admin/sign-in/passwords", form: {} }) },
  "GET /admin/sign-in/providers/new": { rule: "instance-admin", call: () => ({ url: "/admin/sign-in/providers/new" }) },
  "POST /admin/sign-in/providers/new": {
    rule: "instance-admin",
    call: () => ({ url: "/admin/sign-in/providers/new", form: { label: "" } }),
  },
  "GET /admin/sign-in/providers/:providerId": {
    rule: "instance-admin",
    call: (f) => ({ url: `/admin/sign-in/providers/${f.oidcProvider}` }),
  },
  "POST /admin/sign-in/providers/:providerId": {
    rule: "instance-admin",
    call: (f) => ({ url: `/admin/sign-in/providers/${f.oidcProvider}`, form: {} }),
  },
  "POST /admin/sign-in/providers/:providerId/rules": {
    rule: "instance-admin",
    call: (f) => ({ url: `/admin/sign-in/providers/${f.oidcProvider}/rules`, form: {} }),
  },
  // A rule id that is not one: refused (400) once the access check let the caller through.
  "POST /admin/sign-in/providers/:providerId/rules/:ruleId/delete": {
    rule: "instance-admin",
    call: (f) => ({ url: `/admin/sign-in/providers/${f.oidcProvider}/rules/pas-un-uuid/delete`, form: {} }),
  },
  // A stale version: 409.
  "POST /admin/sign-in/providers/:providerId/delete": {
    rule: "instance-admin",
    call: (f) => ({ url: `/admin/sign-in/providers/${f.oidcProvider}/delete`, form: { version: "999" } }),
  },
  "GET /admin/service-accounts": { rule: "instance-admin", call: () => ({ url: "/admin/service-accounts" }) },
  "POST /admin/service-accounts": { rule: "instance-admin", call: () => ({ url: "/admin/service-accounts", form: { name: "" } }) },
  // Malformed ids (400 for the administrator): no fixture service account is needed to tell who gets in.
  "GET /admin/service-accounts/:accountId/tokens/new": {
    rule: "instance-admin",
    call: () => ({ url: "/admin/service-accounts/pas-un-uuid/tokens/new" }),
  },
  "POST /admin/service-accounts/:accountId/tokens": {
    rule: "instance-admin",
    call: () => ({ url: "/admin/service-accounts/pas-un-uuid/tokens", form: {} }),
  },
  "POST /admin/service-accounts/:accountId/tokens/:tokenId/revoke": {
    rule: "instance-admin",
    call: () => ({ url: "/admin/service-accounts/pas-un-uuid/tokens/pas-un-uuid/revoke", form: {} }),
  },
  "GET /setup": { rule: "public", call: () => ({ url: "/setup" }) },
  "POST /setup": {
    rule: "closed",
    call: () => ({ url: "/setup", form: { email: "x@y.fr", displayName: "X", password: "long enough pass" } }),
  },
  "GET /password/forgot": { rule: "public", call: () => ({ url: "/password/forgot" }) },
  "POST /password/forgot": { rule: "public", call: () => ({ url: "/password/forgot", form: { email: "personne@exemple.fr" } }) },
  "GET /password/forgot/sent": { rule: "public", call: () => ({ url: "/password/forgot/sent" }) },
  "GET /password/reset": { rule: "public", call: () => ({ url: "/password/reset?token=inconnu" }) },
  "POST /password/reset": { rule: "public", call: () => ({ url: "/password/reset", form: { token: "inconnu", password: "x" } }) },
  "GET /display": { rule: "public", call: () => ({ url: "/display" }) },
  "POST /display": { rule: "public", call: () => ({ url: "/display", form: { scheme: "dark" } }) },
  "GET /api/v1/me": { rule: "session", call: () => ({ url: "/api/v1/me" }) },
  "GET /compte": { rule: "session", call: () => ({ url: "/compte" }) },
  "POST /compte/password": { rule: "session", call: () => ({ url: "/compte/password", form: { currentPassword: "" } }) },
  "GET /notifications": { rule: "session", call: () => ({ url: "/notifications" }) },
  "POST /notifications/read-all": { rule: "session", call: () => ({ url: "/notifications/read-all", form: {} }) },
  // A malformed id (400): only one's own notifications are marked, so no fixture notification can be everyone's.
  "POST /notifications/:notificationId/read": {
    rule: "session",
    call: () => ({ url: "/notifications/pas-un-identifiant/read", form: {} }),
  },
  "GET /compte/alertes": { rule: "session", call: () => ({ url: "/compte/alertes" }) },
  "POST /compte/alertes": { rule: "session", call: () => ({ url: "/compte/alertes", form: { import_failed: "parfois" } }) },
  "GET /compte/jetons": { rule: "session", call: () => ({ url: "/compte/jetons" }) },
  "POST /compte/jetons": { rule: "session", call: () => ({ url: "/compte/jetons", form: { name: "" } }) },
  // A malformed id (400): only one's own tokens are revoked, so no fixture token can be everyone's.
  "POST /compte/jetons/:tokenId/revoke": { rule: "session", call: () => ({ url: "/compte/jetons/pas-un-identifiant/revoke", form: {} }) },
  "GET /organisations/:orgId/webhooks": { rule: { subtree: INTEGRATORS }, call: (f) => ({ url: `/organisations/${f.s1}/webhooks` }) },
  "POST /organisations/:orgId/webhooks": {
    rule: { subtree: INTEGRATORS },
    call: (f) => ({ url: `/organisations/${f.s1}/webhooks`, form: { url: "" } }),
  },
  "GET /organisations/:orgId/webhooks/:endpointId": {
    rule: { subtree: INTEGRATORS },
    call: (f) => ({ url: `/organisations/${f.s1}/webhooks/${f.webhook}` }),
  },
  "POST /organisations/:orgId/webhooks/:endpointId/delete": {
    rule: { subtree: INTEGRATORS },
    call: (f) => ({ url: `/organisations/${f.s1}/webhooks/pas-un-identifiant/delete`, form: {} }),
  },

  "GET /organisations": { rule: { anywhere: ALL }, call: () => ({ url: "/organisations" }) },
  "GET /organisations/new": { rule: { anywhere: ["admin", "correspondent"] }, call: () => ({ url: "/organisations/new" }) },
  "POST /organisations/new": {
    rule: { anywhere: ["admin", "correspondent"] },
    call: () => ({ url: "/organisations/new", form: { name: "" } }),
  },
  "GET /organisations/:orgId": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}` }) },
  "GET /organisations/:orgId/edit": {
    rule: { subtree: ["admin", "correspondent", "referent"] },
    call: (f) => ({ url: `/organisations/${f.s1}/edit` }),
  },
  "POST /organisations/:orgId/edit": {
    rule: { subtree: ["admin", "correspondent", "referent"] },
    call: (f) => ({ url: `/organisations/${f.s1}/edit`, form: { ...SITE_FIELDS, version: "999" } }),
  },
  "POST /organisations/:orgId/delete": {
    rule: { subtree: ["admin", "correspondent"] },
    call: (f) => ({ url: `/organisations/${f.s1}/delete`, form: { version: String(f.s1Version) } }),
  },
  // The public logo is read before the delete below removes the fixture's logo.
  "GET /public/organisations/:orgId/logo": { rule: "public", call: (f) => ({ url: `/public/organisations/${f.s1}/logo` }) },
  "GET /organisations/:orgId/logo": { rule: { subtree: EDITORS }, call: (f) => ({ url: `/organisations/${f.s1}/logo` }) },
  "POST /organisations/:orgId/logo": { rule: { subtree: EDITORS }, call: (f) => ({ url: `/organisations/${f.s1}/logo`, form: {} }) },
  "POST /organisations/:orgId/logo/delete": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/logo/delete`, form: {} }),
  },
  "GET /organisations/:orgId/alerts": { rule: { subtree: EDITORS }, call: (f) => ({ url: `/organisations/${f.s1}/alerts` }) },
  "POST /organisations/:orgId/alerts": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/alerts`, form: { deadlineDays: "pas un nombre" } }),
  },
  "GET /organisations/:orgId/escalation": { rule: { subtree: EDITORS }, call: (f) => ({ url: `/organisations/${f.s1}/escalation` }) },
  "POST /organisations/:orgId/escalation": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/escalation`, form: { workingDays: "pas un nombre" } }),
  },
  "GET /organisations/:orgId/mailboxes": { rule: { subtree: EDITORS }, call: (f) => ({ url: `/organisations/${f.s1}/mailboxes` }) },
  "POST /organisations/:orgId/mailboxes": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/mailboxes`, form: { label: "", port: "pas un port" } }),
  },
  "POST /organisations/:orgId/mailboxes/test": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/mailboxes/test`, form: { label: "", port: "pas un port" } }),
  },
  "POST /organisations/:orgId/mailboxes/:mailboxId/collect": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/mailboxes/${f.mailbox}/collect`, form: {} }),
  },
  "POST /organisations/:orgId/mailboxes/:mailboxId/delete": {
    rule: { subtree: EDITORS },
    // Without its confirmation: refused with a message, nothing removed, so each role meets the same mailbox.
    call: (f) => ({ url: `/organisations/${f.s1}/mailboxes/${f.mailbox}/delete`, form: {} }),
  },
  "GET /organisations/:orgId/privacy": { rule: { subtree: EDITORS }, call: (f) => ({ url: `/organisations/${f.s1}/privacy` }) },
  "GET /organisations/:orgId/privacy/register": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/privacy/register` }),
  },
  // Without a person to look for: refused with a message (400), nothing exported, nothing recorded.
  "GET /organisations/:orgId/privacy/export": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/privacy/export` }),
  },
  "POST /organisations/:orgId/privacy/settings": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/privacy/settings`, form: { months_requests: "pas un nombre" } }),
  },
  // Without its confirmation: refused with a message, nothing erased.
  "POST /organisations/:orgId/privacy/erase": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/privacy/erase`, form: { email: "personne@example.org" } }),
  },
  "GET /organisations/:orgId/label": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/label` }) },
  "POST /organisations/:orgId/label": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/label`, form: { auditOn: "pas une date" } }),
  },
  "POST /organisations/:orgId/label/findings": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/label/findings`, form: { kind: "remark", text: "", dueOn: "" } }),
  },
  "GET /organisations/:orgId/delays": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/delays` }) },
  "POST /organisations/:orgId/delays": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/delays`, form: { "value-letter-request": "pas un nombre" } }),
  },
  "GET /api/v1/organisations/:orgId/announced-delays": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/announced-delays` }),
  },
  "PUT /api/v1/organisations/:orgId/announced-delays": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/announced-delays`, json: { delays: [{ channel: "fax" }] } }),
  },
  "GET /api/v1/organisations": { rule: { anywhere: ALL }, call: () => ({ url: "/api/v1/organisations" }) },
  "POST /api/v1/organisations": {
    rule: { anywhere: ["admin", "correspondent"] },
    call: () => ({ url: "/api/v1/organisations", json: {} }),
  },
  "GET /api/v1/organisations/:orgId": { rule: { subtree: ALL }, call: (f) => ({ url: `/api/v1/organisations/${f.s1}` }) },
  "PUT /api/v1/organisations/:orgId": {
    rule: { subtree: ["admin", "correspondent", "referent"] },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}`, json: { ...SITE_FIELDS, version: 999 } }),
  },
  "DELETE /api/v1/organisations/:orgId": {
    rule: { subtree: ["admin", "correspondent"] },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}?version=999` }),
  },

  "GET /accounts": { rule: { anywhere: ["admin"] }, call: () => ({ url: "/accounts" }) },
  "GET /accounts/new": { rule: { anywhere: ["admin"] }, call: () => ({ url: "/accounts/new" }) },
  "POST /accounts/new": { rule: { anywhere: ["admin"] }, call: () => ({ url: "/accounts/new", form: { email: "" } }) },
  "GET /accounts/:accountId": { rule: { subtree: ["admin"] }, call: (f) => ({ url: `/accounts/${f.targetAccount}` }) },
  "POST /accounts/:accountId": {
    rule: { subtree: ["admin"] },
    call: (f) => ({ url: `/accounts/${f.targetAccount}`, form: { displayName: "" } }),
  },
  "POST /accounts/:accountId/password": {
    rule: { subtree: ["admin"] },
    call: (f) => ({ url: `/accounts/${f.targetAccount}/password`, form: { password: "court" } }),
  },
  "POST /accounts/:accountId/grants": {
    rule: { subtree: ["admin"] },
    call: (f) => ({ url: `/accounts/${f.targetAccount}/grants`, form: { role: "roi" } }),
  },
  "POST /accounts/:accountId/grants/remove": {
    rule: { subtree: ["admin"] },
    call: (f) => ({ url: `/accounts/${f.targetAccount}/grants/remove`, form: { role: "roi" } }),
  },
  "GET /api/v1/accounts": { rule: { anywhere: ["admin"] }, call: () => ({ url: "/api/v1/accounts" }) },
  "POST /api/v1/accounts": { rule: { anywhere: ["admin"] }, call: () => ({ url: "/api/v1/accounts", json: {} }) },
  "GET /api/v1/accounts/:accountId": { rule: { subtree: ["admin"] }, call: (f) => ({ url: `/api/v1/accounts/${f.targetAccount}` }) },
  "PUT /api/v1/accounts/:accountId": {
    rule: { subtree: ["admin"] },
    call: (f) => ({ url: `/api/v1/accounts/${f.targetAccount}`, json: {} }),
  },
  "POST /api/v1/accounts/:accountId/grants": {
    rule: { subtree: ["admin"] },
    call: (f) => ({ url: `/api/v1/accounts/${f.targetAccount}/grants`, json: {} }),
  },
  "DELETE /api/v1/accounts/:accountId/grants": {
    rule: { subtree: ["admin"] },
    call: (f) => ({ url: `/api/v1/accounts/${f.targetAccount}/grants?role=roi` }),
  },

  "GET /audit": { rule: { anywhere: ["admin", "auditor"] }, call: () => ({ url: "/audit" }) },
  "GET /api/v1/audit": { rule: { anywhere: ["admin", "auditor"] }, call: () => ({ url: "/api/v1/audit" }) },

  "GET /frameworks": { rule: "public", call: () => ({ url: "/frameworks" }) },
  "GET /frameworks/:frameworkId": { rule: "public", call: () => ({ url: "/frameworks/sp+2021" }) },
  "GET /commitments": { rule: "public", call: () => ({ url: "/commitments?q=courrier" }) },
  "GET /levers": { rule: "public", call: () => ({ url: "/levers?q=equipe" }) },
  "GET /api/v1/frameworks": { rule: "public", call: () => ({ url: "/api/v1/frameworks" }) },
  "GET /api/v1/frameworks/:frameworkId": { rule: "public", call: () => ({ url: "/api/v1/frameworks/marianne-2016" }) },
  "GET /api/v1/frameworks/:frameworkId/commitments/:number": {
    rule: "public",
    call: () => ({ url: "/api/v1/frameworks/marianne-2008/commitments/10" }),
  },
  "GET /api/v1/commitments": { rule: "public", call: () => ({ url: "/api/v1/commitments?channel=phone" }) },
  "GET /api/v1/levers": { rule: "public", call: () => ({ url: "/api/v1/levers?channel=phone" }) },
  "GET /public/organisations/:orgId/commitments": { rule: "public", call: (f) => ({ url: `/public/organisations/${f.s1}/commitments` }) },
  "GET /public/organisations/:orgId/donnees-personnelles": {
    rule: "public",
    call: (f) => ({ url: `/public/organisations/${f.s1}/donnees-personnelles` }),
  },

  "GET /organisations/:orgId/commitments": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/commitments` }) },
  "POST /organisations/:orgId/commitments/framework": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/commitments/framework`, form: { frameworkId: "inconnu" } }),
  },
  "POST /organisations/:orgId/commitments/local": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/commitments/local`, form: { title: "" } }),
  },
  "POST /organisations/:orgId/commitments/local/:localId/delete": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/commitments/local/${f.localCommitment}/delete`, form: { version: "999" } }),
  },
  "GET /api/v1/organisations/:orgId/commitments": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/commitments` }),
  },
  "PUT /api/v1/organisations/:orgId/framework": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/framework`, json: { frameworkId: "inconnu" } }),
  },
  "POST /api/v1/organisations/:orgId/local-commitments": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/local-commitments`, json: {} }),
  },
  "PUT /api/v1/organisations/:orgId/local-commitments/:localId": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/local-commitments/${f.localCommitment}`, json: {} }),
  },
  "DELETE /api/v1/organisations/:orgId/local-commitments/:localId": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/local-commitments/${f.localCommitment}?version=999` }),
  },

  "GET /organisations/:orgId/requests": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/requests?queue=overdue` }) },
  "GET /organisations/:orgId/requests/new": { rule: { subtree: WRITERS }, call: (f) => ({ url: `/organisations/${f.s1}/requests/new` }) },
  "POST /organisations/:orgId/requests/new": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/new`, form: { subject: "" } }),
  },
  "GET /organisations/:orgId/requests/:requestId": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/${f.request}` }),
  },
  "GET /organisations/:orgId/requests/:requestId/attachments/:attachmentId": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/${f.request}/attachments/${f.attachment}` }),
  },
  "POST /organisations/:orgId/requests/:requestId/status": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/${f.request}/status`, form: { status: "inconnu", version: "1" } }),
  },
  "POST /organisations/:orgId/requests/:requestId/assignment": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/${f.request}/assignment`, form: { serviceId: "pas-un-uuid", version: "1" } }),
  },
  "POST /organisations/:orgId/requests/:requestId/holding": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/${f.request}/holding`, form: { announcedOn: "" } }),
  },
  "GET /api/v1/organisations/:orgId/requests": { rule: { subtree: ALL }, call: (f) => ({ url: `/api/v1/organisations/${f.s1}/requests` }) },
  "POST /api/v1/organisations/:orgId/requests": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/requests`, json: {} }),
  },
  "GET /api/v1/organisations/:orgId/requests/:requestId": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/requests/${f.request}` }),
  },
  "POST /api/v1/organisations/:orgId/requests/:requestId/status": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/requests/${f.request}/status`, json: {} }),
  },
  "POST /api/v1/organisations/:orgId/requests/:requestId/holding": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/requests/${f.request}/holding`, json: {} }),
  },
  "POST /api/v1/organisations/:orgId/requests/:requestId/assignment": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/requests/${f.request}/assignment`, json: {} }),
  },
  "GET /organisations/:orgId/requests/indicators": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/indicators` }),
  },
  "GET /api/v1/organisations/:orgId/request-indicators": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/request-indicators?from=2027-01-01&to=2027-12-31` }),
  },
  "GET /organisations/:orgId/closures": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/closures` }) },
  "POST /organisations/:orgId/closures": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/closures`, form: { day: "" } }),
  },
  "POST /organisations/:orgId/closures/:day/delete": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/closures/1999-01-01/delete`, form: {} }),
  },
  "GET /api/v1/organisations/:orgId/closures": { rule: { subtree: ALL }, call: (f) => ({ url: `/api/v1/organisations/${f.s1}/closures` }) },
  "POST /api/v1/organisations/:orgId/closures": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/closures`, json: {} }),
  },
  "DELETE /api/v1/organisations/:orgId/closures/:day": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/closures/2030-01-01` }),
  },
  "GET /organisations/:orgId/letters": { rule: { subtree: MANAGERS }, call: (f) => ({ url: `/organisations/${f.s1}/letters` }) },
  "POST /organisations/:orgId/letters/:kind": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/letters/answer`, form: { subject: "", version: "0" } }),
  },
  "GET /organisations/:orgId/requests/:requestId/letters/:kind": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/${f.request}/letters/acknowledgement` }),
  },
  "GET /organisations/:orgId/requests/import": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/import` }),
  },
  "POST /organisations/:orgId/requests/import": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/import`, form: {} }),
  },
  "POST /organisations/:orgId/requests/import/mapping": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/import/mapping`, form: { payload: "faux" } }),
  },
  "POST /organisations/:orgId/requests/import/preview": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/import/preview`, form: { payload: "faux" } }),
  },
  "POST /organisations/:orgId/requests/import/commit": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/import/commit`, form: { payload: "faux" } }),
  },
  "GET /organisations/:orgId/requests/imports/:importId": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/imports/${f.requestImport}` }),
  },
  "POST /organisations/:orgId/requests/imports/:importId/discard": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/imports/${f.requestImport}/discard`, form: {} }),
  },
  "POST /api/v1/organisations/:orgId/requests/import": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/requests/import`, json: {} }),
  },
  "GET /public/organisations/:orgId/complaint": { rule: "public", call: (f) => ({ url: `/public/organisations/${f.s1}/complaint` }) },
  "POST /public/organisations/:orgId/complaint": {
    rule: "public",
    call: (f) => ({ url: `/public/organisations/${f.s1}/complaint`, form: { kind: "" } }),
  },
  "GET /public/organisations/:orgId/complaint/received": {
    rule: "public",
    call: (f) => ({ url: `/public/organisations/${f.s1}/complaint/received?number=${f.trackingNumber}` }),
  },
  "GET /track": { rule: "public", call: (f) => ({ url: `/track?number=${f.trackingNumber}&token=${f.trackingToken}` }) },
  "POST /track": { rule: "public", call: (f) => ({ url: "/track", form: { number: f.trackingNumber, code: f.trackingCode } }) },

  // Records a printed acknowledgement (the e-mailed link keeps working since the code is derived).
  "POST /organisations/:orgId/requests/:requestId/letters/acknowledgement/print": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/${f.request}/letters/acknowledgement/print`, form: {} }),
  },
  "GET /organisations/:orgId/surveys": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/surveys` }) },
  "POST /organisations/:orgId/surveys": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys`, form: { template: "" } }),
  },
  "GET /organisations/:orgId/surveys/:surveyId": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}` }),
  },
  "GET /api/v1/organisations/:orgId/surveys": { rule: { subtree: ALL }, call: (f) => ({ url: `/api/v1/organisations/${f.s1}/surveys` }) },
  "POST /api/v1/organisations/:orgId/surveys": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/surveys`, json: {} }),
  },
  "GET /api/v1/organisations/:orgId/surveys/:surveyId/results": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/surveys/${f.survey}/results` }),
  },
  "GET /organisations/:orgId/surveys/:surveyId/export.csv": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}/export.csv` }),
  },
  "GET /organisations/:orgId/surveys/:surveyId/export.xlsx": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}/export.xlsx` }),
  },
  "GET /organisations/:orgId/surveys/:surveyId/diffusion": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}/diffusion` }),
  },
  "POST /organisations/:orgId/surveys/:surveyId/reglages": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}/reglages`, form: { version: "" } }),
  },
  "GET /organisations/:orgId/surveys/:surveyId/qr.svg": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}/qr.svg?canal=counter` }),
  },
  "GET /organisations/:orgId/surveys/:surveyId/affiche.pdf": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}/affiche.pdf` }),
  },
  "GET /organisations/:orgId/surveys/:surveyId/questionnaire": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}/questionnaire` }),
  },
  // A stale version: refused with 409, nothing saved.
  "POST /organisations/:orgId/surveys/:surveyId/questionnaire": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}/questionnaire`, form: { op: "meta", version: "999" } }),
  },
  "POST /organisations/:orgId/surveys/:surveyId/questionnaire/publier": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}/questionnaire/publier`, form: { version: "" } }),
  },
  "GET /organisations/:orgId/surveys/:surveyId/commentaires": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}/commentaires` }),
  },
  "POST /organisations/:orgId/surveys/:surveyId/commentaires": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/surveys/${f.survey}/commentaires`, form: { status: "" } }),
  },
  "GET /borne/:orgId/:surveyId/:key": { rule: "public", call: (f) => ({ url: `/borne/${f.s1}/${f.survey}/${f.kioskKey}` }) },
  // A tap without an answer id: back to the question, nothing recorded.
  "POST /borne/:orgId/:surveyId/:key": { rule: "public", call: (f) => ({ url: `/borne/${f.s1}/${f.survey}/${f.kioskKey}`, form: {} }) },
  "POST /api/v1/public/kiosk/:orgId/:surveyId/:key": {
    rule: "public",
    call: (f) => ({ url: `/api/v1/public/kiosk/${f.s1}/${f.survey}/${f.kioskKey}`, json: {} }),
  },
  "GET /assets/vigie-kiosk.js": { rule: "public", call: () => ({ url: "/assets/vigie-kiosk.js" }) },
  "GET /organisations/:orgId/calls": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/calls` }) },
  "GET /organisations/:orgId/calls/settings": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/calls/settings` }),
  },
  "POST /organisations/:orgId/calls/settings": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/calls/settings`, form: { secondsPerRing: "5", version: "999" } }),
  },
  "GET /organisations/:orgId/calls/import": { rule: { subtree: WRITERS }, call: (f) => ({ url: `/organisations/${f.s1}/calls/import` }) },
  "POST /organisations/:orgId/calls/import": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/calls/import`, form: {} }),
  },
  "GET /organisations/:orgId/calls/imports/:importId": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/calls/imports/${f.callImport}` }),
  },
  "POST /organisations/:orgId/calls/imports/:importId/mapping": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/calls/imports/${f.callImport}/mapping`, form: {} }),
  },
  "POST /organisations/:orgId/calls/imports/:importId/commit": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/calls/imports/${f.callImport}/commit`, form: {} }),
  },
  "POST /organisations/:orgId/calls/imports/:importId/discard": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/calls/imports/${f.callImport}/discard`, form: {} }),
  },
  "POST /organisations/:orgId/calls/imports/:importId/resume": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/calls/imports/${f.callImport}/resume`, form: {} }),
  },
  "GET /api/v1/organisations/:orgId/call-indicators": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/call-indicators?from=2026-01-01&to=2026-12-31` }),
  },
  "POST /api/v1/organisations/:orgId/calls": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/calls`, json: {} }),
  },
  "GET /api/v1/organisations/:orgId/call-imports/:importId": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/call-imports/${f.callImport}` }),
  },
  "GET /organisations/:orgId/mystery": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/mystery` }) },
  "POST /organisations/:orgId/mystery": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/mystery`, form: { title: "" } }),
  },
  "GET /organisations/:orgId/mystery/compare": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/mystery/compare?a=${f.campaign}&b=${f.campaign}` }),
  },
  "GET /organisations/:orgId/mystery/:campaignId": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/mystery/${f.campaign}` }),
  },
  "GET /organisations/:orgId/mystery/:campaignId/tests/new": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/mystery/${f.campaign}/tests/new` }),
  },
  "POST /organisations/:orgId/mystery/:campaignId/tests/new": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/mystery/${f.campaign}/tests/new`, form: { channel: "phone" } }),
  },
  "GET /api/v1/organisations/:orgId/mystery-campaigns": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/mystery-campaigns` }),
  },
  "GET /api/v1/organisations/:orgId/mystery-campaigns/:campaignId/results": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/mystery-campaigns/${f.campaign}/results` }),
  },
  "POST /api/v1/organisations/:orgId/mystery-campaigns/:campaignId/tests": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/mystery-campaigns/${f.campaign}/tests`, json: {} }),
  },
  "GET /s/:orgId/:surveyId": { rule: "public", call: (f) => ({ url: `/s/${f.s1}/${f.survey}` }) },
  // A required answer left out: refused (400) before the rate limit counts it.
  "POST /s/:orgId/:surveyId": { rule: "public", call: (f) => ({ url: `/s/${f.s1}/${f.survey}`, form: { overall: "" } }) },
  "GET /s/:orgId/:surveyId/merci": { rule: "public", call: (f) => ({ url: `/s/${f.s1}/${f.survey}/merci` }) },
  "GET /api/v1/public/organisations/:orgId/surveys/:surveyId": {
    rule: "public",
    call: (f) => ({ url: `/api/v1/public/organisations/${f.s1}/surveys/${f.survey}` }),
  },
  "POST /api/v1/public/organisations/:orgId/surveys/:surveyId/responses": {
    rule: "public",
    call: (f) => ({ url: `/api/v1/public/organisations/${f.s1}/surveys/${f.survey}/responses`, json: {} }),
  },
  "GET /organisations/:orgId/dashboard": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/dashboard` }) },
  "GET /organisations/:orgId/dashboard/compare": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/dashboard/compare?indicator=requests.answered_in_time` }),
  },
  "GET /organisations/:orgId/dashboard/compare.csv": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/dashboard/compare.csv?depth=sites` }),
  },
  "GET /api/v1/organisations/:orgId/dashboard": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/dashboard?from=2027-01-01&to=2027-12-31` }),
  },
  "GET /organisations/:orgId/public-info": { rule: { subtree: EDITORS }, call: (f) => ({ url: `/organisations/${f.s1}/public-info` }) },
  "POST /organisations/:orgId/public-info": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/public-info`, form: { hours: "Mo-Fr 09:00-12:00", version: "999" } }),
  },
  "POST /organisations/:orgId/public-info/annuaire": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/public-info/annuaire`, form: { record: "pas du json", version: "0" } }),
  },
  "GET /api/v1/organisations/:orgId/public-info": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/public-info` }),
  },
  "PUT /api/v1/organisations/:orgId/public-info": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/public-info`, json: { hours: "Mo-Fr 09:00-12:00", version: 999 } }),
  },
  "POST /api/v1/organisations/:orgId/public-info/annuaire": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/public-info/annuaire`, json: { record: {}, version: 0 } }),
  },
  "GET /public/organisations/:orgId/results": { rule: "public", call: (f) => ({ url: `/public/organisations/${f.s1}/results` }) },
  "GET /public/organisations/:orgId/results.csv": { rule: "public", call: (f) => ({ url: `/public/organisations/${f.s1}/results.csv` }) },
  "GET /public/organisations/:orgId/poster.pdf": { rule: "public", call: (f) => ({ url: `/public/organisations/${f.s1}/poster.pdf` }) },
  "GET /public/organisations/:orgId/badge.svg": { rule: "public", call: (f) => ({ url: `/public/organisations/${f.s1}/badge.svg` }) },
  "GET /public/organisations/:orgId/widget": { rule: "public", call: (f) => ({ url: `/public/organisations/${f.s1}/widget` }) },
  "GET /api/v1/public/organisations/:orgId/published-figures": {
    rule: "public",
    call: (f) => ({ url: `/api/v1/public/organisations/${f.s1}/published-figures` }),
  },
  "GET /api/v1/public/organisations/:orgId/public-info": {
    rule: "public",
    call: (f) => ({ url: `/api/v1/public/organisations/${f.s1}/public-info` }),
  },
  "GET /organisations/:orgId/publication": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/publication` }) },
  // Recomputing the published figures changes nothing a later row reads.
  "POST /organisations/:orgId/publication": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/publication`, form: {} }),
  },
  "POST /api/v1/organisations/:orgId/publication": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/publication`, json: {} }),
  },
  "GET /legal": { rule: "instance-admin", call: () => ({ url: "/legal" }) },
  "GET /mail": { rule: { anywhere: ALL }, call: () => ({ url: "/mail" }) },
  // The fixture has no failed e-mail: retrying them all changes nothing.
  "POST /mail/retry-failed": { rule: { anywhere: WRITERS }, call: () => ({ url: "/mail/retry-failed", form: {} }) },
  // An id that is not one: refused (400) once the access check let the caller through.
  "POST /organisations/:orgId/mail/:outboxId/retry": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/mail/pas-un-uuid/retry`, form: {} }),
  },
  "GET /organisations/:orgId/requests/:requestId/letters/acknowledgement/preview": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/${f.request}/letters/acknowledgement/preview` }),
  },
  // The fixture's request has no e-mail address: refused (400), nothing queued.
  "POST /organisations/:orgId/requests/:requestId/letters/acknowledgement/send": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/requests/${f.request}/letters/acknowledgement/send`, form: {} }),
  },
  "POST /api/v1/organisations/:orgId/requests/:requestId/acknowledgement": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/requests/${f.request}/acknowledgement`, json: {} }),
  },
  "GET /organisations/:orgId/assessments": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/assessments` }) },
  "POST /organisations/:orgId/assessments": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/assessments`, form: { year: "" } }),
  },
  "GET /organisations/:orgId/assessments/:assessmentId": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/assessments/${f.assessment}` }),
  },
  "POST /organisations/:orgId/assessments/:assessmentId/sign": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/assessments/${f.assessment}/sign`, form: { version: "999" } }),
  },
  "GET /organisations/:orgId/assessments/:assessmentId/commitments/:index": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/assessments/${f.assessment}/commitments/1` }),
  },
  "POST /organisations/:orgId/assessments/:assessmentId/commitments/:index": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/assessments/${f.assessment}/commitments/1`, form: { "r1-id": "x" } }),
  },
  "GET /organisations/:orgId/assessments/:assessmentId/export.xlsx": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/assessments/${f.assessment}/export.xlsx` }),
  },
  "GET /organisations/:orgId/assessments/:assessmentId/evidence/:evidenceId": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/assessments/${f.assessment}/evidence/${f.evidence}` }),
  },
  "POST /organisations/:orgId/assessments/:assessmentId/evidence/:evidenceId/delete": {
    rule: { subtree: MANAGERS },
    call: (f) => ({
      url: `/organisations/${f.s1}/assessments/${f.assessment}/evidence/00000000-0000-4000-8000-000000000000/delete`,
      form: {},
    }),
  },
  "POST /organisations/:orgId/assessments/:assessmentId/evidence": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/assessments/${f.assessment}/evidence`, form: {} }),
  },
  "GET /api/v1/organisations/:orgId/assessments/:assessmentId": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/assessments/${f.assessment}` }),
  },

  "GET /organisations/:orgId/actions": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/actions` }) },
  "POST /organisations/:orgId/actions/bulk": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/actions/bulk`, form: { status: "done" } }),
  },
  "GET /organisations/:orgId/actions/board": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/actions/board` }) },
  "GET /organisations/:orgId/actions/new": { rule: { subtree: MANAGERS }, call: (f) => ({ url: `/organisations/${f.s1}/actions/new` }) },
  "POST /organisations/:orgId/actions/new": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/actions/new`, form: { title: "" } }),
  },
  "GET /organisations/:orgId/actions/suggestions": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/actions/suggestions` }),
  },
  "POST /organisations/:orgId/actions/levers": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/actions/levers`, form: { planYear: "2027" } }),
  },
  "GET /organisations/:orgId/actions/import": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/actions/import` }),
  },
  "POST /organisations/:orgId/actions/import": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/actions/import`, form: {} }),
  },
  "GET /organisations/:orgId/actions/export.xlsx": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/actions/export.xlsx` }),
  },
  "GET /organisations/:orgId/actions/:actionId": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/actions/${f.action}` }),
  },
  "POST /organisations/:orgId/actions/:actionId": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/actions/${f.action}`, form: { title: "X", planYear: "2027", version: "999" } }),
  },
  "POST /organisations/:orgId/actions/:actionId/status": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/actions/${f.action}/status`, form: { status: "done", version: "999" } }),
  },
  "GET /api/v1/organisations/:orgId/actions": { rule: { subtree: ALL }, call: (f) => ({ url: `/api/v1/organisations/${f.s1}/actions` }) },
  "POST /api/v1/organisations/:orgId/actions": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/api/v1/organisations/${f.s1}/actions`, json: {} }),
  },

  "GET /organisations/:orgId/staff": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/staff` }) },
  "POST /organisations/:orgId/staff": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/staff`, form: { name: "" } }),
  },
  "POST /organisations/:orgId/staff/trainings": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/staff/trainings`, form: { theme: "" } }),
  },
  "POST /organisations/:orgId/staff/:staffId/active": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/staff/${f.staff}/active`, form: { active: "false", version: "999" } }),
  },
  "GET /organisations/:orgId/incidents": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/incidents` }) },
  "POST /organisations/:orgId/incidents": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/incidents`, form: { description: "" } }),
  },
  "POST /organisations/:orgId/incidents/:incidentId/triage": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/incidents/${f.incident}/triage`, form: { decision: "dismiss", version: "999" } }),
  },

  "GET /organisations/:orgId/review": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/review?year=2026` }) },
  "GET /api/v1/organisations/:orgId/review": { rule: { subtree: ALL }, call: (f) => ({ url: `/api/v1/organisations/${f.s1}/review` }) },
  "GET /organisations/:orgId/review.pdf": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/review.pdf?year=2026` }) },

  "GET /organisations/:orgId/obligations": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/obligations?year=2026` }),
  },
  // The year is left out: an allowed call is refused by validation and sends nothing.
  "POST /organisations/:orgId/obligations/remind": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/obligations/remind`, form: { obligation: "survey" } }),
  },
  "POST /organisations/:orgId/obligations/review": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/obligations/review`, form: {} }),
  },
  "POST /organisations/:orgId/targets": {
    rule: { subtree: EDITORS },
    call: (f) => ({ url: `/organisations/${f.s1}/targets`, form: { "calls.answer_rate": "pas un nombre" } }),
  },
  "GET /organisations/:orgId/export-resultats.csv": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/export-resultats.csv?year=2026` }),
  },
  "GET /organisations/:orgId/export-indicateurs.csv": {
    rule: { subtree: ALL },
    call: (f) => ({ url: `/organisations/${f.s1}/export-indicateurs.csv` }),
  },
  "GET /organisations/:orgId/feedback": { rule: { subtree: ALL }, call: (f) => ({ url: `/organisations/${f.s1}/feedback` }) },
  "POST /organisations/:orgId/feedback/import": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/feedback/import`, form: {} }),
  },
  "POST /organisations/:orgId/feedback/jdma": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/feedback/jdma`, form: {} }),
  },
  "POST /organisations/:orgId/feedback/:feedbackId/action": {
    rule: { subtree: MANAGERS },
    call: (f) => ({ url: `/organisations/${f.s1}/feedback/${f.feedback}/action`, form: {} }),
  },
  "POST /organisations/:orgId/feedback/:feedbackId/reply": {
    rule: { subtree: WRITERS },
    call: (f) => ({ url: `/organisations/${f.s1}/feedback/${f.feedback}/reply`, form: { reply: "" } }),
  },

  "GET /legal/:slug": { rule: "public", call: () => ({ url: "/legal/accessibilite" }) },
  "GET /legal/:slug/edit": { rule: "instance-admin", call: () => ({ url: "/legal/mentions-legales/edit" }) },
  "POST /legal/:slug/edit": { rule: "instance-admin", call: () => ({ url: "/legal/mentions-legales/edit", form: { title: "" } }) },
};

/** An open campaign with one evidence file, on the site of the matrix. */
type Who = { kind: "anonymous" } | { kind: "instance-admin" } | { kind: "role"; role: Role; inside: boolean };

function expected(rule: Rule, who: Who): boolean {
  if (rule === "public") return true;
  if (rule === "closed") return false;
  if (who.kind === "anonymous") return false;
  if (rule === "session" || who.kind === "instance-admin") return true;
  if (rule === "instance-admin") return false;
  if ("anywhere" in rule) return rule.anywhere.includes(who.role);
  return who.inside && rule.subtree.includes(who.role);
}

function describeWho(who: Who): string {
  return who.kind === "role" ? `${who.role} ${who.inside ? "dedans" : "dehors"}` : who.kind;
}

function routeKey(method: string, url: string): string {
  return `${method} ${url.replace(/^\/assets\/(vigie|vigie-public)\.[0-9a-f]+\.css$/, "/assets/$1.[hash].css")}`;
}

describe("access-control matrix", () => {
  let t: TestApp;
  let fixture: Fixture;
  const clients = new Map<string, { who: Who; client: Client }>();
  /** API tokens: each actor's write and read tokens, and the instance administrator's token limited to R2. */
  const tokens: Array<{ who: Who; scope: "read" | "write"; modules?: ModuleScopes; secret: string; label: string }> = [];
  const PASSWORD = "mot de passe de test";

  beforeAll(async () => {
    t = await startTestApp();
    const db = t.database.db;
    const built = await buildRouteFixture(db, PASSWORD);
    const { root, r1, r2 } = built;
    fixture = built.fixture;
    for (const scope of ["read", "write"] as const) {
      const { secret } = await createToken(db, root, { name: `root ${scope}`, scope, days: 30 });
      tokens.push({ who: { kind: "instance-admin" }, scope, secret, label: `jeton ${scope} de l'administrateur` });
    }
    // Limited to R2, the instance administrator's token acts as an administrator outside the target.
    const limited = await createToken(db, root, { name: "root R2", scope: "write", orgId: r2.id, days: 30 });
    tokens.push({
      who: { kind: "role", role: "admin", inside: false },
      scope: "write",
      secret: limited.secret,
      label: "jeton de l'administrateur limité à R2",
    });

    // Per-module tokens: a person's, and a service account's (the telephony platform's: calls written,
    // dashboards read), each refused on every other module whatever the roles allow.
    const phoneModules: ModuleScopes = { calls: "write", dashboards: "read" };
    const rootPhone = await createToken(db, root, { name: "root téléphonie", scope: "write", modules: phoneModules, days: 30 });
    tokens.push({
      who: { kind: "instance-admin" },
      scope: "write",
      modules: phoneModules,
      secret: rootPhone.secret,
      label: "jeton téléphonie de l'administrateur",
    });
    const service = await createServiceAccount(db, root, { name: "Plateforme téléphonique", orgId: r1.id, role: "agent" });
    const serviceToken = await createServiceToken(db, root, service.id, { name: "appels", scope: "read", modules: phoneModules, days: 30 });
    tokens.push({
      who: { kind: "role", role: "agent", inside: true },
      scope: "write",
      modules: phoneModules,
      secret: serviceToken.secret,
      label: "jeton du compte de service (agent dedans)",
    });
    const readRequests = await createToken(db, root, { name: "root demandes", scope: "read", modules: { requests: "read" }, days: 30 });
    tokens.push({
      who: { kind: "instance-admin" },
      scope: "read",
      modules: { requests: "read" },
      secret: readRequests.secret,
      label: "jeton demandes en lecture de l'administrateur",
    });

    const anonymous = new Client(t.app);
    await anonymous.get("/login");
    clients.set("anonymous", { who: { kind: "anonymous" }, client: anonymous });
    const rootClient = new Client(t.app);
    await rootClient.login("root@test.fr", PASSWORD);
    clients.set("instance-admin", { who: { kind: "instance-admin" }, client: rootClient });
    for (const role of ROLES) {
      for (const inside of [true, false]) {
        const email = `${role}.${inside ? "in" : "out"}@test.fr`;
        const account = await createAccount(db, root, {
          email,
          displayName: email,
          password: PASSWORD,
          role,
          orgId: inside ? r1.id : r2.id,
        });
        const actor: Actor = {
          accountId: account.id,
          email,
          displayName: email,
          instanceAdmin: false,
          grants: [{ orgId: inside ? r1.id : r2.id, role }],
        };
        for (const scope of ["read", "write"] as const) {
          const { secret } = await createToken(db, actor, { name: scope, scope, days: 30 });
          tokens.push({
            who: { kind: "role", role, inside },
            scope,
            secret,
            label: `jeton ${scope} de ${role} ${inside ? "dedans" : "dehors"}`,
          });
        }
        const client = new Client(t.app);
        expect((await client.login(email, PASSWORD)).statusCode).toBe(303);
        clients.set(email, { who: { kind: "role", role, inside }, client });
      }
    }
  });
  afterAll(() => t.close());

  it("lists every route of the application, and nothing that is not one", () => {
    const declared = new Set(t.app.declaredRoutes.filter((r) => r.method !== "HEAD").map((r) => routeKey(r.method, r.url)));
    const missing = [...declared].filter((k) => !(k in MATRIX));
    const stale = Object.keys(MATRIX).filter((k) => !declared.has(k));
    expect(missing, "routes absentes de la matrice d'accès").toEqual([]);
    expect(stale, "lignes de la matrice sans route").toEqual([]);
  });

  it("allows and denies exactly as the matrix says", async () => {
    const stylesheet = t.app.declaredRoutes.find((r) => r.url.startsWith("/assets/vigie."))?.url ?? "";
    const publicStylesheet = t.app.declaredRoutes.find((r) => r.url.startsWith("/assets/vigie-public."))?.url ?? "";
    const failures: string[] = [];
    // Logging out ends the session: do it last.
    const keys = Object.keys(MATRIX).sort((a, b) => Number(a === "POST /logout") - Number(b === "POST /logout"));
    for (const key of keys) {
      const entry = MATRIX[key];
      if (!entry) continue;
      const method = key.split(" ")[0] ?? "GET";
      const call = entry.call(fixture);
      const url = call.url === "STYLESHEET" ? stylesheet : call.url === "PUBLIC_STYLESHEET" ? publicStylesheet : call.url;
      for (const { who, client } of clients.values()) {
        const response = call.form !== undefined ? await client.post(url, call.form) : await client.api(method as "GET", url, call.json);
        const denied =
          [401, 403, 404].includes(response.statusCode) ||
          (response.statusCode === 302 && String(response.headers.location).startsWith("/login?next="));
        if (response.statusCode >= 500) failures.push(`${key} par ${describeWho(who)} : erreur ${response.statusCode}`);
        const allow = expected(entry.rule, who);
        if (allow === denied) {
          failures.push(`${key} par ${describeWho(who)} : attendu ${allow ? "autorisé" : "refusé"}, reçu ${response.statusCode}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it("knows the module of every /api/v1 route (a token limited to some modules is refused on an unknown one)", () => {
    const unknown = t.app.declaredRoutes.filter((r) => r.url.startsWith("/api/v1") && apiModuleOf(r.url) === undefined).map((r) => r.url);
    expect(unknown, "routes de l'API sans module").toEqual([]);
    expect(apiModuleOf("/api/v1/organisations/:orgId/calls")).toBe("calls");
    expect(apiModuleOf("/api/v1/organisations/:orgId/call-indicators")).toBe("calls");
    expect(apiModuleOf("/api/v1/organisations/:orgId/dashboard")).toBe("dashboards");
    expect(apiModuleOf("/api/v1/organisations/:orgId/requests/:requestId")).toBe("requests");
    expect(apiModuleOf("/api/v1/organisations/:orgId")).toBe("organisations");
    expect(apiModuleOf("/api/v1/me")).toBeNull();
  });

  it("gives an API token its person's access on /api/v1, writes only to write tokens, nothing outside its organisation", async () => {
    const failures: string[] = [];
    for (const [key, entry] of Object.entries(MATRIX)) {
      const [method = "GET", path = ""] = key.split(" ");
      const call = entry.call(fixture);
      if (!path.startsWith("/api/v1/") || call.form !== undefined || key === "POST /logout") continue;
      const json = call.json === undefined && method !== "GET" ? {} : call.json;
      for (const token of tokens) {
        const response = await t.app.inject({
          method: method as "GET",
          url: call.url,
          headers: { authorization: `Bearer ${token.secret}`, ...(json !== undefined ? { "content-type": "application/json" } : {}) },
          ...(json !== undefined ? { payload: JSON.stringify(json) } : {}),
        });
        const denied = [401, 403, 404].includes(response.statusCode);
        if (response.statusCode >= 500) failures.push(`${key} par ${token.label} : erreur ${response.statusCode}`);
        if (response.statusCode === 401) failures.push(`${key} par ${token.label} : jeton refusé (401)`);
        const level = token.modules ? tokenLevel({ scope: token.scope, modules: token.modules }, path) : token.scope;
        const allow = expected(entry.rule, token.who) && (level === "write" || (level === "read" && method === "GET"));
        if (allow === denied)
          failures.push(`${key} par ${token.label} : attendu ${allow ? "autorisé" : "refusé"}, reçu ${response.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
    // About two thousand calls: seconds on a quiet machine, past the default 30 s on a loaded one.
  }, 600_000);
});
