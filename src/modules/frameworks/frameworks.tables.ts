import type { ColumnType, Generated } from "kysely";

/** The tables of the frameworks module: their owner alone names them in its queries (test/architecture.test.ts). */
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string | null, string | null>;

export interface FrameworksTable {
  id: string;
  name: string;
  edition: string;
  summary: string;
  position: number;
}

export interface FrameworkThemesTable {
  framework_id: string;
  id: string;
  title: string;
  position: number;
}

export interface CommitmentsTable {
  id: string;
  framework_id: string;
  number: number;
  title: string;
  details: string | null;
  theme_id: string;
  channels: string[];
  targets: Json;
  search: string;
}

export interface RequirementsTable {
  id: string;
  commitment_id: string;
  position: number;
  text: string;
}

export interface CommitmentLinksTable {
  from_id: string;
  to_id: string;
  relation: string;
}

export interface LeversTable {
  id: string;
  commitment_id: string;
  channel: string;
  category: string;
  text: string;
  search: string;
  position: number;
}

export interface LeverCommitmentsTable {
  lever_id: string;
  commitment_id: string;
}

export interface OrgFrameworksTable {
  org_id: string;
  framework_id: string;
  adopted_at: TimestampDefault;
  version: Generated<number>;
}

export interface LocalCommitmentsTable {
  org_id: string;
  id: Generated<string>;
  base_commitment_id: string | null;
  title: string;
  channels: string[];
  targets: Json;
  version: Generated<number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export type FrameworkTables = {
  frameworks: FrameworksTable;
  framework_themes: FrameworkThemesTable;
  commitments: CommitmentsTable;
  requirements: RequirementsTable;
  commitment_links: CommitmentLinksTable;
  levers: LeversTable;
  lever_commitments: LeverCommitmentsTable;
  org_frameworks: OrgFrameworksTable;
  local_commitments: LocalCommitmentsTable;
};
