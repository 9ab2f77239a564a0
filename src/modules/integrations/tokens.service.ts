import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { type Actor, can, type Grant } from "../../kernel/roles.ts";
import { activeAccountWithGrants, listServiceAccounts } from "../accounts/accounts.service.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { organisationPath } from "../organisations/organisations.service.ts";
import { isApiModule, type ModuleScopes } from "./api-modules.ts";
import * as repo from "./tokens.repository.ts";

export type { TokenRow } from "./tokens.repository.ts";

/** Recording each use's time costs a write: once every 5 minutes per token is enough to tell a live one. */
const TOUCH_EVERY_MS = 5 * 60_000;
export const DEFAULT_DAYS = 90;
export const MAX_DAYS = 365;

/** `vig_` + 32 random bytes: recognisable in a leaked log or repository, unguessable. */
export function newSecret(): string {
  return `vig_${randomBytes(32).toString("base64url")}`;
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export interface TokenInput {
  name: string;
  scope: "read" | "write";
  /** Per-module scopes; absent or null: `scope` on every module, present and future. */
  modules?: ModuleScopes | null | undefined;
  orgId?: string | undefined;
  days: number;
}

/** Creates a token for the actor's own rights; the secret is returned here and never again. */
export function createToken(
  db: Kysely<DB>,
  actor: Actor,
  input: TokenInput,
  now = new Date(),
): Promise<{ secret: string; token: repo.TokenRow }> {
  return insertToken(db, actor, actor.accountId, input, now);
}

/**
 * Creates a token for a service account, by an instance administrator: the token then has the service
 * account's roles (narrowed by its organisation and modules), not the administrator's.
 */
export async function createServiceToken(
  db: Kysely<DB>,
  actor: Actor,
  accountId: string,
  input: TokenInput,
  now = new Date(),
): Promise<{ secret: string; token: repo.TokenRow }> {
  await requireServiceAccount(db, actor, accountId);
  return insertToken(db, actor, accountId, input, now);
}

async function requireServiceAccount(db: Kysely<DB>, actor: Actor, accountId: string): Promise<void> {
  if (!actor.instanceAdmin) throw new AppError("auth.forbidden");
  const accounts = await listServiceAccounts(db, actor);
  if (!accounts.some((a) => a.id === accountId)) throw new AppError("token.service_not_found");
}

async function insertToken(
  db: Kysely<DB>,
  actor: Actor,
  ownerId: string,
  input: TokenInput,
  now: Date,
): Promise<{ secret: string; token: repo.TokenRow }> {
  const modules = input.modules ? Object.fromEntries(Object.entries(input.modules).filter(([m, v]) => isApiModule(m) && v)) : null;
  if (modules && Object.keys(modules).length === 0) {
    throw new AppError("validation", { fields: { modules: "Choisissez au moins un module de l'API." } });
  }
  // The token's overall scope is its highest: a per-module token with one writing module may write there.
  const scope = modules ? (Object.values(modules).includes("write") ? "write" : "read") : input.scope;
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > MAX_DAYS) {
    throw new AppError("validation", { fields: { days: "Durée de validité : entre 1 et 365 jours." } });
  }
  if (input.orgId) {
    const path = await organisationPath(db, input.orgId);
    if (!path || !can(actor, "org.read", path)) {
      throw new AppError("validation", { fields: { orgId: "Choisissez une organisation sur laquelle vous avez un rôle." } });
    }
  }
  const secret = newSecret();
  const token = await db.transaction().execute(async (trx) => {
    const row = await repo.insertToken(trx, {
      accountId: ownerId,
      name: input.name,
      prefix: secret.slice(0, 10),
      hash: hashSecret(secret),
      scope,
      modules,
      orgId: input.orgId ?? null,
      expiresAt: new Date(now.getTime() + input.days * 86_400_000),
    });
    await recordAudit(trx, auditActor(actor), {
      orgId: input.orgId ?? null,
      action: "create",
      entity: "api_token",
      entityId: row.id,
      after: {
        name: row.name,
        account: ownerId,
        scope: row.scope,
        modules: row.modules,
        orgId: row.org_id,
        expiresAt: row.expires_at.toISOString(),
      },
    });
    return row;
  });
  return { secret, token };
}

export function listTokens(db: Kysely<DB>, actor: Actor): Promise<repo.TokenRow[]> {
  return repo.tokensOf(db, actor.accountId);
}

/** The service accounts with their roles and tokens, for the instance administrator's page. */
export async function serviceAccountsWithTokens(db: Kysely<DB>, actor: Actor) {
  const accounts = await listServiceAccounts(db, actor);
  return Promise.all(accounts.map(async (a) => ({ ...a, tokens: await repo.tokensOf(db, a.id) })));
}

export async function revokeServiceToken(db: Kysely<DB>, actor: Actor, accountId: string, tokenId: string, now = new Date()) {
  await requireServiceAccount(db, actor, accountId);
  await revokeOf(db, actor, accountId, tokenId, now);
}

export function revokeToken(db: Kysely<DB>, actor: Actor, tokenId: string, now = new Date()): Promise<void> {
  return revokeOf(db, actor, actor.accountId, tokenId, now);
}

async function revokeOf(db: Kysely<DB>, actor: Actor, ownerId: string, tokenId: string, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await repo.revokeToken(trx, ownerId, tokenId, now))) throw new AppError("token.not_found");
    await recordAudit(trx, auditActor(actor), { orgId: null, action: "revoke", entity: "api_token", entityId: tokenId });
  });
}

/**
 * The person's grants as the token lets it use them: a grant above the token's organisation holds on
 * that organisation only; a grant inside its subtree stays; a grant elsewhere is gone.
 */
async function narrowGrants(db: Kysely<DB>, grants: Grant[], root: string, rootPath: string[]): Promise<Grant[]> {
  const narrowed: Grant[] = [];
  for (const grant of grants) {
    if (rootPath.includes(grant.orgId)) narrowed.push({ orgId: root, role: grant.role });
    else if ((await organisationPath(db, grant.orgId))?.includes(root)) narrowed.push(grant);
  }
  return narrowed;
}

/**
 * The actor behind a bearer token: the person's roles as they are now (a role taken away is taken from
 * the token too), narrowed to the token's organisation; undefined when the token is unknown, expired,
 * revoked or its account deactivated. Every use is written in the audit log.
 */
export async function resolveBearer(
  db: Kysely<DB>,
  secret: string,
  use: { method: string; url: string },
  now = new Date(),
): Promise<Actor | undefined> {
  if (!/^vig_[A-Za-z0-9_-]{43}$/.test(secret)) return undefined;
  const token = await repo.findByHash(db, hashSecret(secret));
  if (!token || token.revoked_at || token.expires_at <= now) return undefined;
  const account = await activeAccountWithGrants(db, token.account_id);
  if (!account) return undefined;
  let grants = account.grants;
  let instanceAdmin = account.instanceAdmin;
  if (token.org_id) {
    const rootPath = await organisationPath(db, token.org_id);
    if (!rootPath) return undefined;
    // An instance administrator's token limited to a subtree acts there as its administrator, nowhere else.
    grants = instanceAdmin ? [{ orgId: token.org_id, role: "admin" }] : await narrowGrants(db, grants, token.org_id, rootPath);
    instanceAdmin = false;
  }
  const actor: Actor = {
    accountId: account.id,
    email: account.email,
    displayName: account.displayName,
    instanceAdmin,
    grants,
    token: { id: token.id, scope: token.scope, modules: token.modules },
  };
  if (!token.last_used_at || now.getTime() - token.last_used_at.getTime() > TOUCH_EVERY_MS) await repo.touchToken(db, token.id, now);
  await recordAudit(
    db,
    { accountId: account.id, label: `${account.displayName} <${account.email}> (jeton « ${token.name} »)` },
    {
      orgId: token.org_id,
      action: "use",
      entity: "api_token",
      entityId: token.id,
      after: { method: use.method, url: use.url.slice(0, 500) },
    },
  );
  return actor;
}
