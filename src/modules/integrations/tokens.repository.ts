import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { ModuleScopes } from "./api-modules.ts";

export interface TokenRow {
  id: string;
  account_id: string;
  name: string;
  prefix: string;
  scope: "read" | "write";
  modules: ModuleScopes | null;
  org_id: string | null;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = [
  "id",
  "account_id",
  "name",
  "prefix",
  "scope",
  "modules",
  "org_id",
  "created_at",
  "expires_at",
  "revoked_at",
  "last_used_at",
] as const;

export async function insertToken(
  db: Kysely<DB>,
  values: {
    accountId: string;
    name: string;
    prefix: string;
    hash: string;
    scope: "read" | "write";
    modules: ModuleScopes | null;
    orgId: string | null;
    expiresAt: Date;
  },
): Promise<TokenRow> {
  return db
    .insertInto("api_tokens")
    .values({
      account_id: values.accountId,
      name: values.name,
      prefix: values.prefix,
      token_hash: values.hash,
      scope: values.scope,
      modules: values.modules ? JSON.stringify(values.modules) : null,
      org_id: values.orgId,
      expires_at: values.expiresAt,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function tokensOf(db: Kysely<DB>, accountId: string): Promise<TokenRow[]> {
  return db
    .selectFrom("api_tokens")
    .select(COLUMNS)
    .where("account_id", "=", accountId)
    .orderBy("created_at", "desc")
    .orderBy("id")
    .execute();
}

export async function findByHash(db: Kysely<DB>, hash: string): Promise<TokenRow | undefined> {
  return db.selectFrom("api_tokens").select(COLUMNS).where("token_hash", "=", hash).executeTakeFirst();
}

/** Revokes one of the account's own tokens; false when it has none by that id (or it was already revoked). */
export async function revokeToken(db: Kysely<DB>, accountId: string, tokenId: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable("api_tokens")
    .set({ revoked_at: at })
    .where("id", "=", tokenId)
    .where("account_id", "=", accountId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function touchToken(db: Kysely<DB>, tokenId: string, at: Date): Promise<void> {
  await db.updateTable("api_tokens").set({ last_used_at: at }).where("id", "=", tokenId).execute();
}
