import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { readSetting, writeSetting } from "../../kernel/settings.ts";
import { organisationNameSql } from "../organisations/organisations.service.ts";

export interface ProviderRow {
  id: string;
  label: string;
  issuer: string;
  clientId: string;
  clientSecretSealed: string;
  scopes: string;
  emailClaim: string;
  givenNameClaim: string;
  familyNameClaim: string;
  usualNameClaim: string;
  proconnect: boolean;
  metadata: Record<string, unknown>;
  version: number;
}

/** What a provider's form writes: the row without its id and version, which the database keeps. */
export type ProviderValues = Omit<ProviderRow, "id" | "version">;

const columns = (v: ProviderValues) => ({
  label: v.label,
  issuer: v.issuer,
  client_id: v.clientId,
  client_secret_sealed: v.clientSecretSealed,
  scopes: v.scopes,
  email_claim: v.emailClaim,
  given_name_claim: v.givenNameClaim,
  family_name_claim: v.familyNameClaim,
  usual_name_claim: v.usualNameClaim,
  proconnect: v.proconnect,
  metadata: JSON.stringify(v.metadata),
});

function toProvider(row: {
  id: string;
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
  metadata: unknown;
  version: number;
}): ProviderRow {
  return {
    id: row.id,
    label: row.label,
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecretSealed: row.client_secret_sealed,
    scopes: row.scopes,
    emailClaim: row.email_claim,
    givenNameClaim: row.given_name_claim,
    familyNameClaim: row.family_name_claim,
    usualNameClaim: row.usual_name_claim,
    proconnect: row.proconnect,
    metadata: (typeof row.metadata === "string" ? JSON.parse(row.metadata) : row.metadata) as Record<string, unknown>,
    version: row.version,
  };
}

export async function listProviders(db: Kysely<DB>): Promise<ProviderRow[]> {
  const rows = await db.selectFrom("oidc_providers").selectAll().orderBy("created_at").orderBy("id").execute();
  return rows.map(toProvider);
}

export async function findProvider(db: Kysely<DB>, id: string): Promise<ProviderRow | undefined> {
  const row = await db.selectFrom("oidc_providers").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toProvider(row) : undefined;
}

export async function insertProvider(db: Kysely<DB>, values: ProviderValues): Promise<ProviderRow> {
  return toProvider(await db.insertInto("oidc_providers").values(columns(values)).returningAll().executeTakeFirstOrThrow());
}

export async function updateProvider(db: Kysely<DB>, id: string, values: ProviderValues): Promise<void> {
  await db
    .updateTable("oidc_providers")
    .set((eb) => ({ ...columns(values), version: eb("version", "+", 1) }))
    .where("id", "=", id)
    .execute();
}

export async function deleteProvider(db: Kysely<DB>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("oidc_providers").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function listRules(db: Kysely<DB>, providerId: string) {
  return db
    .selectFrom("oidc_role_rules as r")
    .select(["r.id", "r.claim", "r.value", "r.org_id as orgId", organisationNameSql("r.org_id").as("orgName"), "r.role"])
    .where("r.provider_id", "=", providerId)
    .orderBy("r.claim")
    .orderBy("r.value")
    .execute();
}

export async function insertRule(db: Kysely<DB>, providerId: string, rule: { claim: string; value: string; orgId: string; role: string }) {
  await db
    .insertInto("oidc_role_rules")
    .values({ provider_id: providerId, claim: rule.claim, value: rule.value, org_id: rule.orgId, role: rule.role })
    .execute();
}

export async function deleteRule(db: Kysely<DB>, providerId: string, ruleId: string): Promise<boolean> {
  const result = await db.deleteFrom("oidc_role_rules").where("provider_id", "=", providerId).where("id", "=", ruleId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function insertAttempt(
  db: Kysely<DB>,
  a: { state: string; providerId: string; nonce: string; codeVerifier: string; next: string },
) {
  await db
    .insertInto("oidc_attempts")
    .values({ state: a.state, provider_id: a.providerId, nonce: a.nonce, code_verifier: a.codeVerifier, next: a.next })
    .execute();
}

/** Takes an attempt once: a replayed callback finds nothing. */
export async function takeAttempt(db: Kysely<DB>, state: string, since: Date) {
  const row = await db.deleteFrom("oidc_attempts").where("state", "=", state).returningAll().executeTakeFirst();
  return row && row.created_at > since ? row : undefined;
}

export async function purgeAttempts(db: Kysely<DB>, before: Date): Promise<void> {
  await db.deleteFrom("oidc_attempts").where("created_at", "<", before).execute();
}

export async function findLink(db: Kysely<DB>, providerId: string, subject: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("oidc_links")
    .select("account_id")
    .where("provider_id", "=", providerId)
    .where("subject", "=", subject)
    .executeTakeFirst();
  return row?.account_id;
}

export async function insertLink(db: Kysely<DB>, providerId: string, subject: string, accountId: string): Promise<void> {
  await db.insertInto("oidc_links").values({ provider_id: providerId, subject, account_id: accountId }).execute();
}

export async function isLinked(db: Kysely<DB>, accountId: string): Promise<boolean> {
  const row = await db.selectFrom("oidc_links").select("account_id").where("account_id", "=", accountId).executeTakeFirst();
  return row !== undefined;
}

export async function countProviders(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom("oidc_providers")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setSessionOrigin(db: Kysely<DB>, tokenHash: string, providerId: string, idToken: string): Promise<void> {
  await db.updateTable("sessions").set({ oidc_provider_id: providerId, id_token: idToken }).where("token_hash", "=", tokenHash).execute();
}

export async function sessionOrigin(db: Kysely<DB>, tokenHash: string) {
  return db.selectFrom("sessions").select(["oidc_provider_id", "id_token"]).where("token_hash", "=", tokenHash).executeTakeFirst();
}

const PASSWORDS_SETTING = "password_sign_in";

export async function passwordsEnabled(db: Kysely<DB>): Promise<boolean> {
  return (await readSetting(db, PASSWORDS_SETTING)) !== false;
}

export async function setPasswordsEnabled(db: Kysely<DB>, enabled: boolean): Promise<void> {
  await writeSetting(db, PASSWORDS_SETTING, enabled);
}
