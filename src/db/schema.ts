import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** Table types for the query layer. These never leave a repository: services speak in their own types. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string | null, string | null>;

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

export interface AccountsTable {
  id: Generated<string>;
  email: string;
  display_name: string;
  password_hash: string;
  instance_admin: Generated<boolean>;
  active: Generated<boolean>;
  version: Generated<number>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  last_login_at: NullableTimestamp;
}

export interface GrantsTable {
  org_id: string;
  account_id: string;
  role: string;
  granted_at: TimestampDefault;
}

export interface SessionsTable {
  token_hash: string;
  account_id: string;
  created_at: TimestampDefault;
  last_seen_at: TimestampDefault;
  expires_at: Timestamp;
}

export interface LoginAttemptsTable {
  id: Generated<string>;
  email: string;
  source: string;
  at: TimestampDefault;
}

export interface AuditLogTable {
  org_id: string;
  id: Generated<string>;
  at: TimestampDefault;
  actor_id: string | null;
  actor_label: string;
  action: string;
  entity: string;
  entity_id: string;
  before: Json;
  after: Json;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: TimestampDefault;
}

export interface LegalPagesTable {
  slug: string;
  title: string;
  body: string;
  compliance: string | null;
  version: Generated<number>;
  updated_at: TimestampDefault;
}

export interface DB {
  organisations: OrganisationsTable;
  accounts: AccountsTable;
  grants: GrantsTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  legal_pages: LegalPagesTable;
}

export type OrganisationRow = Selectable<OrganisationsTable>;
export type NewOrganisationRow = Insertable<OrganisationsTable>;
export type OrganisationUpdate = Updateable<OrganisationsTable>;
export type AccountRow = Selectable<AccountsTable>;
