import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import { accountExists, createAccount, createInstanceAdmin } from "../modules/accounts/accounts.service.ts";
import type { Actor } from "../modules/accounts/roles.ts";
import type { HolidayZone, Organisation, OrgKind } from "../modules/organisations/organisation.ts";
import { createOrganisation, listVisible } from "../modules/organisations/organisations.service.ts";

export const DEMO_PASSWORD = "demonstration-vigie";
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

/** Loads the demo organisations and accounts once; running it again changes nothing. */
export async function loadDemo(db: Kysely<DB>): Promise<{ created: boolean }> {
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
  for (const a of DEMO_ACCOUNTS) {
    const org = orgs.find((o) => o.name === a.org);
    if (!org) continue;
    await createAccount(db, actor, { email: a.email, displayName: a.name, password: DEMO_PASSWORD, role: a.role, orgId: org.id });
  }
  return { created: true };
}
