import type { Kysely } from "kysely";
import { sql } from "kysely";
import type { DB } from "../../src/db/schema.ts";
import type { Actor } from "../../src/kernel/roles.ts";
import { createAccount, createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
import { insertProvider, insertRule, listRules } from "../../src/modules/accounts/oidc.repository.ts";
import { seal } from "../../src/modules/accounts/oidc-secret.ts";
import { createAction } from "../../src/modules/actions/actions.service.ts";
import { notify } from "../../src/modules/alerts/alerts.service.ts";
import { addEvidence, campaignDetails, createCampaign } from "../../src/modules/assessments/assessments.service.ts";
import { SYSTEM_ACTOR } from "../../src/modules/audit/audit.service.ts";
import { createImport } from "../../src/modules/calls/calls.service.ts";
import { createLocalCommitment } from "../../src/modules/frameworks/frameworks.service.ts";
import { createEndpoint } from "../../src/modules/integrations/webhooks.service.ts";
import { queueEmail } from "../../src/modules/mail/mail.service.ts";
import { createMailbox } from "../../src/modules/mailboxes/mailboxes.service.ts";
import { createCampaign as createMysteryCampaign } from "../../src/modules/mystery/mystery.service.ts";
import { importExperiences, listFeedback, replyToFeedback } from "../../src/modules/obligations/obligations.service.ts";
import type { Organisation } from "../../src/modules/organisations/organisation.ts";
import { createOrganisation, setOrganisationLogo } from "../../src/modules/organisations/organisations.service.ts";
import { queueImport } from "../../src/modules/requests/import/import.service.ts";
import { registerRequest } from "../../src/modules/requests/requests.service.ts";
import { addStaff, fileIncident } from "../../src/modules/staff/staff.service.ts";
import { createSurvey, kioskKey, surveySettings } from "../../src/modules/surveys/surveys.service.ts";

/**
 * One of everything a route's path can name, all in one site, for the tests that call every route.
 * `s1` is the site; the field names are those of tenant A's site S1 (tenant B's has the same shape).
 */
export interface RouteFixture {
  s1: string;
  s1Version: number;
  targetAccount: string;
  localCommitment: string;
  request: string;
  trackingNumber: string;
  trackingToken: string;
  trackingCode: string;
  survey: string;
  kioskKey: string;
  assessment: string;
  evidence: string;
  action: string;
  staff: string;
  incident: string;
  callImport: string;
  /** A register import waiting in the job queue (its page, its « Abandonner »). */
  requestImport: string;
  campaign: string;
  /** An e-mail to the requester, in the outbox. */
  outbox: string;
  /** An OpenID provider of the instance and one of its role rules (shared by both tenants). */
  oidcProvider: string;
  oidcRule: string;
  /** A user story imported from Services Publics+, with a public reply. */
  feedback: string;
  /** A collected mailbox (never read: its server does not exist). */
  mailbox: string;
  /** A webhook endpoint of the site (its address carries the marker). */
  webhook: string;
  /** A file that came with the request by e-mail (issue #15: shown and downloaded from its page). */
  attachment: string;
  /** An alert to the instance administrator about the site (issue #15, point 3). */
  notification: string;
}

/**
 * The text every resource of a tenant carries in its text fields (names, subjects, titles,
 * requester's name and address…): finding B's marker in what A's users are served is a leak.
 */
export const MARKERS = { a: "MARQUEUR-A", b: "MARQUEUR-B" } as const;

/**
 * The tree N → R1 → S1 (tenant A) and N → R2 → S2 (tenant B), the instance admin `root@test.fr`,
 * and one resource of every kind in each site, each marked with its tenant's marker. The access
 * matrix, the robustness sweep and the cross-tenant matrix all call every route: they build it here.
 */
export async function buildRouteFixture(
  db: Kysely<DB>,
  password: string,
): Promise<{ root: Actor; r1: Organisation; r2: Organisation; fixture: RouteFixture; tenantB: RouteFixture }> {
  const admin = await createInstanceAdmin(db, { email: "root@test.fr", displayName: "Root", password });
  const root: Actor = { accountId: admin.id, email: admin.email, displayName: "Root", instanceAdmin: true, grants: [] };
  const base = {
    timeZone: "Europe/Paris",
    holidayZone: "metropole" as const,
    addressStreet: undefined,
    addressPostcode: undefined,
    addressCity: undefined,
    siret: undefined,
  };
  const n = await createOrganisation(db, root, { ...base, name: "N", kind: "network", parentId: undefined });
  const r1 = await createOrganisation(db, root, { ...base, name: `R1 ${MARKERS.a} région`, kind: "region", parentId: n.id });
  const r2 = await createOrganisation(db, root, { ...base, name: `R2 ${MARKERS.b} région`, kind: "region", parentId: n.id });
  const s1 = await createOrganisation(db, root, { ...base, name: `S1 ${MARKERS.a} site`, kind: "site", parentId: r1.id });
  const s2 = await createOrganisation(db, root, {
    ...base,
    name: `S2 ${MARKERS.b} site`,
    kind: "site",
    parentId: r2.id,
    addressStreet: `${MARKERS.b} rue`,
  });
  const oidc = await oidcProvider(db, n.id);
  const fixture = { ...(await populateSite(db, root, s1, password, "target@test.fr", MARKERS.a)), ...oidc };
  const tenantB = { ...(await populateSite(db, root, s2, password, "cible.b@test.fr", MARKERS.b)), ...oidc };
  return { root, r1, r2, fixture, tenantB };
}

/**
 * An OpenID provider of the instance (not of a tenant) and one of its rules, stored directly: its
 * discovery document is made up, nothing here calls it (the sign-in tests use a real provider).
 */
async function oidcProvider(db: Kysely<DB>, orgId: string): Promise<{ oidcProvider: string; oidcRule: string }> {
  const issuer = "https://idp.exemple.test";
  const provider = await insertProvider(db, {
    label: "Annuaire de test",
    issuer,
    clientId: "vigie",
    clientSecretSealed: await seal(db, "secret"),
    scopes: "openid email",
    emailClaim: "email",
    givenNameClaim: "given_name",
    familyNameClaim: "family_name",
    usualNameClaim: "usual_name",
    proconnect: false,
    metadata: {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      end_session_endpoint: `${issuer}/logout`,
    },
  });
  await insertRule(db, provider.id, { claim: "siret", value: "21780498600018", orgId, role: "agent" });
  const [rule] = await listRules(db, provider.id);
  return { oidcProvider: provider.id, oidcRule: rule?.id ?? "" };
}

/** One resource of every kind in `site`, each with `marker` in its text. */
async function populateSite(
  db: Kysely<DB>,
  root: Actor,
  site: Organisation,
  password: string,
  targetEmail: string,
  marker: string,
): Promise<Omit<RouteFixture, "oidcProvider" | "oidcRule">> {
  const target = await createAccount(db, root, {
    email: targetEmail,
    displayName: `${marker} Cible`,
    password,
    role: "agent",
    orgId: site.id,
  });
  const local = await createLocalCommitment(db, root, site.id, { title: `${marker} engagement local`, channels: ["email"], targets: [] });
  const registered = await registerRequest(
    db,
    site.id,
    {
      kind: "request",
      channel: "letter",
      receivedOn: "2027-04-30",
      subject: `${marker} objet`,
      body: `${marker} texte de la demande`,
      requesterName: `${marker} Demandeur`,
      requesterAddress: `${marker} 1 rue de la Paix`,
      requesterPhone: "01 23 45 67 89",
    },
    { source: "agent", author: { accountId: null, label: "test" } },
  );
  const survey = await createSurvey(db, root, site.id, { template: "on-the-spot" });
  const campaign = await createCampaign(db, root, site.id, 2026);
  await addEvidence(db, root, site.id, campaign.id, {
    requirementId: `local:${local.id}`,
    fileName: `${marker}-preuve.pdf`,
    data: Buffer.from("%PDF"),
  });
  const { evidence } = await campaignDetails(db, site.id, campaign.id);
  const outbox = await queueEmail(db, {
    orgId: site.id,
    requestId: registered.request.id,
    kind: "acknowledgement",
    to: "demandeur@exemple.fr",
    subject: `${marker} accusé de réception`,
    text: `${marker} texte de l'accusé`,
  });
  // A user story from an Experiences export, answered publicly (issue #14).
  await importExperiences(
    db,
    root,
    site.id,
    Buffer.from(`ID expérience;Écrit le;Description;Ressenti usager\r\n${marker}-EXP;2026-03-05;${marker} avis;Négatif\r\n`),
    "experiences.csv",
  );
  const feedback = (await listFeedback(db, site.id))[0]?.id ?? "";
  await replyToFeedback(db, root, site.id, feedback, `${marker} réponse publique`);
  // A logo, so the public logo route has something to serve.
  await setOrganisationLogo(db, root, site.id, Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"));
  const mailbox = await createMailbox(db, { accountId: root.accountId, label: "Root" }, site.id, {
    label: `${marker} boîte`,
    host: "imap.invalid",
    port: 993,
    security: "tls",
    username: `${marker}@exemple.fr`,
    auth: "password",
    secret: "secret",
    folder: "INBOX",
  });
  // As the mail collector stores it (its table, written here directly: the collector needs an IMAP server).
  const attachment = (
    await sql<{ id: string }>`
      insert into mailbox_attachments (org_id, request_id, file_name, content_type, size, data)
      values (${site.id}, ${registered.request.id}, ${`${marker}.txt`}, 'text/plain', 11, ${Buffer.from(`${marker} pj`)})
      returning id`.execute(db)
  ).rows[0]?.id;
  if (!attachment) throw new Error("pièce jointe non écrite");
  await notify(db, {
    orgId: site.id,
    kind: "import_failed",
    key: `${marker}-alerte`,
    recipients: [root.accountId],
    title: `${marker} alerte`,
    text: `${marker} texte`,
    link: `/organisations/${site.id}`,
  });
  const notification = (
    await db.selectFrom("notifications").select("id").where("org_id", "=", site.id).where("key", "=", `${marker}-alerte`).executeTakeFirst()
  )?.id;
  if (!notification) throw new Error("notification non écrite");
  return {
    attachment,
    notification,
    s1: site.id,
    s1Version: site.version,
    outbox,
    feedback,
    mailbox,
    webhook: (await createEndpoint(db, root, site.id, { url: `https://exemple.fr/${marker}`, events: ["import.finished"] })).endpoint.id,
    targetAccount: target.id,
    localCommitment: local.id,
    request: registered.request.id,
    trackingNumber: registered.request.number,
    trackingToken: registered.trackingToken,
    trackingCode: registered.trackingCode,
    survey: survey.id,
    kioskKey: await kioskKey(db, {
      orgId: site.id,
      id: survey.id,
      kioskNonce: (await surveySettings(db, site.id, survey.id)).kioskNonce,
    }),
    assessment: campaign.id,
    evidence: evidence[0]?.id ?? "",
    action: (await createAction(db, root, site.id, { title: `${marker} action`, planYear: 2026 })).id,
    staff: await addStaff(db, root, site.id, { name: `${marker} Agent` }),
    incident: await fileIncident(db, root, site.id, { occurredOn: "2026-05-04", description: `${marker} panne` }),
    callImport: await createImport(db, SYSTEM_ACTOR, site.id, { fileName: `${marker}-Master.csv`, format: "mapped", bytes: 10 }),
    requestImport: await queueImport(
      db,
      site.id,
      `${marker}-registre.csv`,
      { sheet: { columns: ["Objet"], rows: [{ line: 2, cells: [`${marker} objet`] }] }, mapping: { subject: 0 }, constants: {} },
      SYSTEM_ACTOR,
    ),
    campaign: await createMysteryCampaign(db, root, site.id, {
      title: `${marker} campagne`,
      startsOn: "2027-01-01",
      endsOn: "2027-03-31",
      channels: ["phone"],
      sites: [site.id],
    }),
  };
}
