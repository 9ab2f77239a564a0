import type { Kysely } from "kysely";
import type { DB } from "../../src/db/schema.ts";
import type { Actor } from "../../src/kernel/roles.ts";
import type { Organisation } from "../../src/modules/organisations/organisation.ts";
import type { OrganisationCreateInput } from "../../src/modules/organisations/organisations.schema.ts";
import { createOrganisation } from "../../src/modules/organisations/organisations.service.ts";

/**
 * Test data factories: what tests copied into their heads (an instance administrator acting without a
 * session, the fields of an organisation in metropolitan France) in one place.
 */

/** An instance administrator acting directly on the services (no account row: audit keeps the id). */
export const INSTANCE_ADMIN: Actor = {
  accountId: "00000000-0000-0000-0000-000000000001",
  email: "r@t.fr",
  displayName: "Root",
  instanceAdmin: true,
  grants: [],
};

/** The fields of an organisation a test does not care about: Paris, metropolitan holidays, no address. */
export const ORG_DEFAULTS = {
  timeZone: "Europe/Paris",
  holidayZone: "metropole" as const,
  addressStreet: undefined,
  addressPostcode: undefined,
  addressCity: undefined,
  siret: undefined,
};

/** Creates an organisation through the service, as the administrator, with the defaults above. */
export function createOrg(
  db: Kysely<DB>,
  fields: Pick<OrganisationCreateInput, "name" | "kind"> & Partial<OrganisationCreateInput>,
  actor: Actor = INSTANCE_ADMIN,
): Promise<Organisation> {
  return createOrganisation(db, actor, { ...ORG_DEFAULTS, parentId: undefined, ...fields } as OrganisationCreateInput);
}
