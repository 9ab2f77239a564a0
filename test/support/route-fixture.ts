import type { Kysely } from "kysely";
import type { DB } from "../../src/db/schema.ts";
import { createAccount, createInstanceAdmin } from "../../src/modules/accounts/accounts.service.ts";
import type { Actor } from "../../src/modules/accounts/roles.ts";
import { createAction } from "../../src/modules/actions/actions.service.ts";
import { addEvidence, campaignDetails, createCampaign } from "../../src/modules/assessments/assessments.service.ts";
import { SYSTEM_ACTOR } from "../../src/modules/audit/audit.service.ts";
import { createImport } from "../../src/modules/calls/calls.service.ts";
import { createLocalCommitment } from "../../src/modules/frameworks/frameworks.service.ts";
import { createCampaign as createMysteryCampaign } from "../../src/modules/mystery/mystery.service.ts";
import type { Organisation } from "../../src/modules/organisations/organisation.ts";
import { createOrganisation, setOrganisationLogo } from "../../src/modules/organisations/organisations.service.ts";
import { registerRequest } from "../../src/modules/requests/requests.service.ts";
import { addStaff, fileIncident } from "../../src/modules/staff/staff.service.ts";
import { createSurvey, kioskKey, surveySettings } from "../../src/modules/surveys/surveys.service.ts";

/** One of everything a route's path can name, all in site S1, for the tests that call every route. */
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
  campaign: string;
}

/**
 * The tree N → R1 → S1 and N → R2 → S2, the instance admin `root@test.fr`, and the fixture. The
 * access matrix and the robustness sweep both call every route: they build it here, the same way.
 */
export async function buildRouteFixture(
  db: Kysely<DB>,
  password: string,
): Promise<{ root: Actor; r1: Organisation; r2: Organisation; fixture: RouteFixture }> {
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
  const r1 = await createOrganisation(db, root, { ...base, name: "R1", kind: "region", parentId: n.id });
  const r2 = await createOrganisation(db, root, { ...base, name: "R2", kind: "region", parentId: n.id });
  const s1 = await createOrganisation(db, root, { ...base, name: "S1", kind: "site", parentId: r1.id });
  await createOrganisation(db, root, { ...base, name: "S2", kind: "site", parentId: r2.id });
  const target = await createAccount(db, root, { email: "target@test.fr", displayName: "Cible", password, role: "agent", orgId: s1.id });
  const local = await createLocalCommitment(db, root, s1.id, { title: "Local", channels: ["email"], targets: [] });
  const registered = await registerRequest(
    db,
    s1.id,
    { kind: "request", channel: "letter", receivedOn: "2027-04-30", subject: "Objet" },
    { source: "agent", author: { accountId: null, label: "test" } },
  );
  const survey = await createSurvey(db, root, s1.id, { template: "on-the-spot" });
  const campaign = await createCampaign(db, root, s1.id, 2026);
  await addEvidence(db, root, s1.id, campaign.id, {
    requirementId: `local:${local.id}`,
    fileName: "preuve.pdf",
    data: Buffer.from("%PDF"),
  });
  const { evidence } = await campaignDetails(db, s1.id, campaign.id);
  // A logo, so the public logo route has something to serve.
  await setOrganisationLogo(db, root, s1.id, Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"));
  const fixture: RouteFixture = {
    s1: s1.id,
    s1Version: s1.version,
    targetAccount: target.id,
    localCommitment: local.id,
    request: registered.request.id,
    trackingNumber: registered.request.number,
    trackingToken: registered.trackingToken,
    trackingCode: registered.trackingCode,
    survey: survey.id,
    kioskKey: await kioskKey(db, { orgId: s1.id, id: survey.id, kioskNonce: (await surveySettings(db, s1.id, survey.id)).kioskNonce }),
    assessment: campaign.id,
    evidence: evidence[0]?.id ?? "",
    action: (await createAction(db, root, s1.id, { title: "Action", planYear: 2026 })).id,
    staff: await addStaff(db, root, s1.id, { name: "Agent" }),
    incident: await fileIncident(db, root, s1.id, { occurredOn: "2026-05-04", description: "Panne" }),
    callImport: await createImport(db, SYSTEM_ACTOR, s1.id, { fileName: "Master.csv", format: "mapped", bytes: 10 }),
    campaign: await createMysteryCampaign(db, root, s1.id, {
      title: "Campagne",
      startsOn: "2027-01-01",
      endsOn: "2027-03-31",
      channels: ["phone"],
      sites: [s1.id],
    }),
  };
  return { root, r1, r2, fixture };
}
