import type { Kysely } from "kysely";
import { runScript } from "../script.ts";

/**
 * OpenID Connect sign-in (issue #16, point 1): the providers the instance administrator configures
 * (the client secret encrypted with an instance secret), the link between an account and a subject at
 * a provider, the rules that give roles to accounts created at first sign-in, the sign-in attempts in
 * flight (state, nonce and PKCE verifier kept server-side, so any app server can finish them), and on
 * the session, the provider and ID token needed to end the session at the provider too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table oidc_providers (
      id uuid primary key default gen_random_uuid(),
      label text not null,
      issuer text not null,
      client_id text not null,
      client_secret_sealed text not null,
      scopes text not null,
      email_claim text not null default 'email',
      given_name_claim text not null default 'given_name',
      family_name_claim text not null default 'family_name',
      usual_name_claim text not null default 'usual_name',
      proconnect boolean not null default false,
      metadata jsonb not null,
      version integer not null default 1,
      created_at timestamptz not null default now()
    );

    create table oidc_links (
      provider_id uuid not null references oidc_providers (id) on delete cascade,
      subject text not null,
      account_id uuid not null references accounts (id) on delete cascade,
      linked_at timestamptz not null default now(),
      primary key (provider_id, subject)
    );
    create index oidc_links_account_idx on oidc_links (account_id);

    create table oidc_role_rules (
      id uuid primary key default gen_random_uuid(),
      provider_id uuid not null references oidc_providers (id) on delete cascade,
      claim text not null,
      value text not null,
      org_id uuid not null references organisations (id) on delete cascade,
      role text not null
    );
    create index oidc_role_rules_provider_idx on oidc_role_rules (provider_id);

    create table oidc_attempts (
      state text primary key,
      provider_id uuid not null references oidc_providers (id) on delete cascade,
      nonce text not null,
      code_verifier text not null,
      next text not null,
      created_at timestamptz not null default now()
    );

    alter table sessions add column oidc_provider_id uuid references oidc_providers (id) on delete set null;
    alter table sessions add column id_token text;
    `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `alter table sessions drop column id_token; alter table sessions drop column oidc_provider_id;
     drop table oidc_attempts; drop table oidc_role_rules; drop table oidc_links; drop table oidc_providers;`,
  );
}
