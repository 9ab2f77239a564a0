import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** The tables of the organisations module: their owner alone names them in its queries (test/architecture.test.ts). */
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export interface OrganisationsTable {
  id: Generated<string>;
  parent_id: string | null;
  path: string[];
  kind: string;
  name: string;
  address_street: string | null;
  address_postcode: string | null;
  address_city: string | null;
  siret: string | null;
  time_zone: string;
  holiday_zone: string;
  version: Generated<number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface OrganisationLogosTable {
  org_id: string;
  content_type: string;
  data: Buffer;
  updated_at: TimestampDefault;
}

export type OrganisationTables = {
  organisations: OrganisationsTable;
  organisation_logos: OrganisationLogosTable;
};

export type OrganisationRow = Selectable<OrganisationsTable>;
export type NewOrganisationRow = Insertable<OrganisationsTable>;
export type OrganisationUpdate = Updateable<OrganisationsTable>;
