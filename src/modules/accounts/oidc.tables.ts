import type { ColumnType, Generated } from "kysely";

/** OpenID Connect sign-in (migration 0020), kept beside the accounts module; only its repositories see them. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface OidcProvidersTable {
  id: Generated<string>;
  label: string;
  issuer: string;
  client_id: string;
  client_secret_sealed: string;
  scopes: string;
  email_claim: string;
  given_name_claim: string;
  family_name_claim: string;
  usual_name_claim: string;
  proconnect: boolean;
  metadata: Json;
  version: Generated<number>;
  created_at: TimestampDefault;
}

export interface OidcLinksTable {
  provider_id: string;
  subject: string;
  account_id: string;
  linked_at: TimestampDefault;
}

export interface OidcRoleRulesTable {
  id: Generated<string>;
  provider_id: string;
  claim: string;
  value: string;
  org_id: string;
  role: string;
}

export interface OidcAttemptsTable {
  state: string;
  provider_id: string;
  nonce: string;
  code_verifier: string;
  next: string;
  created_at: TimestampDefault;
}

export type OidcTables = {
  oidc_providers: OidcProvidersTable;
  oidc_links: OidcLinksTable;
  oidc_role_rules: OidcRoleRulesTable;
  oidc_attempts: OidcAttemptsTable;
};
