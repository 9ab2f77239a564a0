import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import type { Actor } from "../kernel/roles.ts";
import { accountExists, createAccount, createInstanceAdmin, isDemoInstance, markDemo } from "../modules/accounts/accounts.service.ts";
import { setAnnouncedDelays } from "../modules/announced-delays/announced-delays.service.ts";
import { REQUEST_KINDS } from "../modules/frameworks/channels.ts";
import { adoptFramework, createLocalCommitment } from "../modules/frameworks/frameworks.service.ts";
import { savePublicInfo } from "../modules/opening-hours/opening-hours.service.ts";
import type { HolidayZone, Organisation, OrgKind } from "../modules/organisations/organisation.ts";
import { countOrganisations, createOrganisation, listVisible } from "../modules/organisations/organisations.service.ts";
import { refreshAllPublications } from "../modules/publication/publication.service.ts";
import { changeStatus, registerRequest } from "../modules/requests/requests.service.ts";
import { loadDemoCalls } from "./demo-calls.ts";
import { loadDemoImprovement } from "./demo-improvement.ts";
import { loadDemoSurveys } from "./demo-surveys.ts";

export const DEMO_PASSWORD = "demo-accueil-du-public";
export const DEMO_ADMIN_EMAIL = "admin@demo.vigie.fr";

interface DemoNode {
  name: string;
  kind: OrgKind;
  city?: string;
  postcode?: string;
  street?: string;
  holidayZone?: HolidayZone;
  timeZone?: string;
  children?: DemoNode[];
}

/** A small network that looks like a real one: a town hall on its own, and a departmental network. */
const TREE: DemoNode[] = [
  {
    name: "Ville de Poissy",
    kind: "site",
    city: "Poissy",
    postcode: "78300",
    street: "Place de la République",
    children: [
      { name: "Guichet unique", kind: "service", city: "Poissy", postcode: "78300" },
      { name: "État civil", kind: "service", city: "Poissy", postcode: "78300" },
    ],
  },
  {
    name: "Réseau des maisons France services de l'Est",
    kind: "network",
    children: [
      {
        name: "Région Grand Est",
        kind: "region",
        children: [
          {
            name: "France services Strasbourg",
            kind: "site",
            city: "Strasbourg",
            postcode: "67000",
            street: "1 place de l'Étoile",
            holidayZone: "alsace-moselle",
            children: [
              { name: "Accueil téléphonique", kind: "service", city: "Strasbourg", postcode: "67000", holidayZone: "alsace-moselle" },
            ],
          },
          { name: "France services Nancy", kind: "site", city: "Nancy", postcode: "54000", street: "1 place Stanislas" },
        ],
      },
      {
        name: "Région Auvergne-Rhône-Alpes",
        kind: "region",
        children: [{ name: "France services Lyon 3e", kind: "site", city: "Lyon", postcode: "69003" }],
      },
      {
        name: "Outre-mer",
        kind: "region",
        children: [
          {
            name: "France services Saint-Denis de La Réunion",
            kind: "site",
            city: "Saint-Denis",
            postcode: "97400",
            holidayZone: "reunion",
            timeZone: "Indian/Reunion",
          },
        ],
      },
    ],
  },
];

const DEMO_ACCOUNTS: Array<{ email: string; name: string; role: "correspondent" | "referent" | "agent" | "auditor"; org: string }> = [
  {
    email: "correspondant@demo.vigie.fr",
    name: "Camille Correspondante",
    role: "correspondent",
    org: "Réseau des maisons France services de l'Est",
  },
  { email: "referent.strasbourg@demo.vigie.fr", name: "Karim Référent", role: "referent", org: "France services Strasbourg" },
  { email: "agent.strasbourg@demo.vigie.fr", name: "Léa Agente", role: "agent", org: "France services Strasbourg" },
  { email: "referent.poissy@demo.vigie.fr", name: "Sophie Référente", role: "referent", org: "Ville de Poissy" },
  { email: "auditeur@demo.vigie.fr", name: "Marc Auditeur", role: "auditor", org: "Réseau des maisons France services de l'Est" },
];

/** Why the demo loader stops on an instance that already holds organisations of its own. */
export const DEMO_REFUSED =
  "Cette instance contient déjà des organisations : les données de démonstration (et leurs comptes au mot de passe publié) n'y sont pas chargées. Relancez avec --force pour en faire malgré tout une instance de démonstration.";

export class DemoRefusedError extends Error {}

/**
 * Loads the demo organisations and accounts once; running it again changes nothing. Refused on an
 * instance that holds real organisations, unless forced; marks the instance as a demo instance.
 */
export async function loadDemo(db: Kysely<DB>, options: { force?: boolean } = {}): Promise<{ created: boolean }> {
  if (!options.force && !(await isDemoInstance(db)) && (await countOrganisations(db)) > 0) throw new DemoRefusedError(DEMO_REFUSED);
  await markDemo(db, []);
  if (await accountExists(db, DEMO_ADMIN_EMAIL)) return { created: false };
  const admin = await createInstanceAdmin(db, {
    email: DEMO_ADMIN_EMAIL,
    displayName: "Administratrice de démonstration",
    password: DEMO_PASSWORD,
  });
  const actor: Actor = { accountId: admin.id, email: admin.email, displayName: admin.displayName, instanceAdmin: true, grants: [] };
  const create = async (node: DemoNode, parentId: string | undefined): Promise<void> => {
    const org: Organisation = await createOrganisation(db, actor, {
      name: node.name,
      kind: node.kind,
      parentId,
      addressStreet: node.street,
      addressPostcode: node.postcode,
      addressCity: node.city,
      siret: undefined,
      timeZone: node.timeZone ?? "Europe/Paris",
      holidayZone: node.holidayZone ?? "metropole",
    });
    for (const child of node.children ?? []) await create(child, org.id);
  };
  for (const root of TREE) await create(root, undefined);
  const orgs = await listVisible(db, actor);
  const byName = (name: string) => orgs.find((o) => o.name === name);
  for (const a of DEMO_ACCOUNTS) {
    const org = byName(a.org);
    if (!org) continue;
    await createAccount(db, actor, { email: a.email, displayName: a.name, password: DEMO_PASSWORD, role: a.role, orgId: org.id });
  }
  await markDemo(db, [DEMO_ADMIN_EMAIL, ...DEMO_ACCOUNTS.map((a) => a.email)]);
  await loadDemoCommitments(db, actor, byName);
  await loadDemoRequests(
    db,
    actor,
    orgs.filter((o) => o.kind === "site"),
  );
  await loadDemoPublicInfo(
    db,
    actor,
    orgs.filter((o) => o.kind === "site"),
  );
  await loadDemoImprovement(db, actor, byName("Ville de Poissy"));
  const network = byName("Réseau des maisons France services de l'Est");
  const networkSites = orgs.filter((o) => o.kind === "site" && network && o.path.includes(network.id));
  for (const site of networkSites) await loadDemoImprovement(db, actor, site, { leverFramework: "marianne-2008", size: "small" });
  // The network then moves to the 2023 framework, as its sites would for the label: what was recorded
  // under Marianne 2008 stays and reads under the new commitments through the mapping.
  if (network) await adoptFramework(db, actor, network.id, "sp+2023");
  await loadDemoSurveys(db, actor, orgs);
  // Last: the published figures read everything above, so the public pages are full at once.
  await refreshAllPublications(db);
  for (const top of orgs.filter((o) => o.parentId === null)) {
    const sites = orgs.filter((o) => o.kind === "site" && o.path.includes(top.id));
    if (sites.length) await loadDemoCalls(db, actor, top, sites);
  }
  return { created: true };
}

/** Poissy keeps Marianne 2016 and its own promises (seed 001); the network starts on Marianne 2008 (moved to SP+ 2023 once its data is in). */
async function loadDemoCommitments(db: Kysely<DB>, actor: Actor, byName: (name: string) => Organisation | undefined): Promise<void> {
  const poissy = byName("Ville de Poissy");
  const network = byName("Réseau des maisons France services de l'Est");
  if (poissy) {
    await adoptFramework(db, actor, poissy.id, "marianne-2016");
    await createLocalCommitment(db, actor, poissy.id, {
      title: "Des réponses aux demandes par mail dans les sept jours",
      channels: ["email"],
      targets: [],
    });
    // The promise's delay, announced for every kind of request by e-mail.
    await setAnnouncedDelays(
      db,
      actor,
      poissy.id,
      REQUEST_KINDS.map((kind) => ({ channel: "email" as const, kind, value: 7, unit: "calendar_days" as const })),
    );
    await createLocalCommitment(db, actor, poissy.id, {
      title: "Des rendez-vous pour les demandes de cartes nationales d'identité ou passeport dans les 30 jours",
      channels: ["counter"],
      targets: [],
    });
  }
  if (network) await adoptFramework(db, actor, network.id, "marianne-2008");
}

const SUBJECTS = [
  "Acte de naissance",
  "Inscription scolaire",
  "Carte d'identité",
  "Stationnement",
  "Attente au guichet",
  "Horaires d'ouverture",
  "Aide au dossier CAF",
];
const CHANNELS_CYCLE = ["letter", "email", "email", "web", "counter", "phone"] as const;

/** A year of requests per site, most answered in time, some late, a few still open. */
async function loadDemoRequests(db: Kysely<DB>, actor: Actor, sites: Organisation[]): Promise<void> {
  const today = new Date();
  let n = 0;
  for (const site of sites) {
    for (let i = 0; i < 40; i++, n++) {
      const received = new Date(today.getTime() - (365 - i * 9) * 86_400_000).toISOString().slice(0, 10);
      const kind = i % 7 === 3 ? "complaint" : i % 11 === 5 ? "suggestion" : "request";
      const { request } = await registerRequest(
        db,
        site.id,
        {
          kind,
          channel: CHANNELS_CYCLE[n % CHANNELS_CYCLE.length] ?? "letter",
          receivedOn: received,
          subject: SUBJECTS[n % SUBJECTS.length] ?? "Demande",
          requesterName: `Usager ${n + 1}`,
        },
        { source: "agent", author: { accountId: actor.accountId, label: "démonstration" } },
      );
      if (i > 36) continue;
      // Answered a little before the deadline most of the time, a few days late now and then.
      const base = request.dueOn ?? request.receivedOn;
      const planned = new Date(Date.parse(`${base}T12:00:00Z`) + (i % 6 === 0 ? 4 : -2) * 86_400_000).toISOString().slice(0, 10);
      const todayIso = today.toISOString().slice(0, 10);
      const on = planned > todayIso ? todayIso : planned < request.receivedOn ? request.receivedOn : planned;
      await changeStatus(db, actor, site.id, request.id, { status: "answered", pauseClock: false, version: request.version, on });
    }
  }
}

/** Opening hours, accessibility and contacts for each demo site, and one change of hours announced ahead. */
async function loadDemoPublicInfo(db: Kysely<DB>, actor: Actor, sites: Organisation[]): Promise<void> {
  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
  const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  for (const [i, site] of sites.entries()) {
    await savePublicInfo(db, actor, site.id, {
      hours:
        i % 2 === 0
          ? "Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00; PH off"
          : "Mo,Tu,Th,Fr 09:00-12:30,13:30-17:00; We 09:00-12:30; PH off",
      validFrom: yearAgo,
      note: undefined,
      accessibility: "Entrée de plain-pied, boucle magnétique à l'accueil, place de stationnement réservée devant le bâtiment.",
      stepFree: true,
      phone: "01 23 45 67 89",
      email: `accueil.${i + 1}@demo.vigie.fr`,
      website: undefined,
      closesDeadlines: false,
      version: 0,
    });
    if (i === 0) {
      // A change announced a month ahead: the public page says so with its date.
      await savePublicInfo(db, actor, site.id, {
        hours: "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00; PH off",
        validFrom: inAMonth > today ? inAMonth : today,
        note: "Ouverture prolongée le soir jusqu'à 17 h 30.",
        accessibility: "Entrée de plain-pied, boucle magnétique à l'accueil, place de stationnement réservée devant le bâtiment.",
        stepFree: true,
        phone: "01 23 45 67 89",
        email: `accueil.${i + 1}@demo.vigie.fr`,
        website: undefined,
        closesDeadlines: false,
        version: 1,
      });
    }
  }
}
