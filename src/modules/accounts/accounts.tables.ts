import type { ColumnType, Generated, Selectable } from "kysely";

/** The tables of the accounts module: their owner alone names them in its queries (test/architecture.test.ts). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a default: optional on insert. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

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
  /** Made by the demo loader: signs in only while the instance is a demo instance. */
  demo: Generated<boolean>;
  /** A service account (migration 0026): acts through API tokens only, never signs in. */
  service: Generated<boolean>;
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
  /** Set when the session came from an OpenID provider: logging out ends the provider's session too. */
  oidc_provider_id: ColumnType<string | null, string | null | undefined, string | null>;
  id_token: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface LoginAttemptsTable {
  id: Generated<string>;
  email: string;
  source: string;
  at: TimestampDefault;
}

export interface PasswordResetsTable {
  token_hash: string;
  account_id: string;
  created_at: TimestampDefault;
  expires_at: Date;
  used_at: NullableTimestamp;
}

export type AccountTables = {
  accounts: AccountsTable;
  grants: GrantsTable;
  sessions: SessionsTable;
  login_attempts: LoginAttemptsTable;
  password_resets: PasswordResetsTable;
};

export type AccountRow = Selectable<AccountsTable>;
