import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { AppError } from "../../app/errors.ts";
import type { DB } from "../../db/schema.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { findByEmail, grantsOf, touchLogin } from "./accounts.repository.ts";
import type { LoginInput } from "./accounts.schema.ts";
import { decoyHash, verifyPassword } from "./passwords.ts";
import type { Actor } from "./roles.ts";
import * as repo from "./sessions.repository.ts";

/** A session lives 8 hours after the last request, and never more than 7 days. */
const IDLE_MS = 8 * 3600_000;
const ABSOLUTE_MS = 7 * 24 * 3600_000;
/** Sliding the expiry costs a write: do it at most every 5 minutes per session. */
const TOUCH_EVERY_MS = 5 * 60_000;

/** Failed logins allowed per 15 minutes, per e-mail and per source address. */
const WINDOW_MS = 15 * 60_000;
const MAX_FAILURES_PER_EMAIL = 5;
const MAX_FAILURES_PER_SOURCE = 30;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export interface Session {
  token: string;
  actor: Actor;
}

export interface ResolvedSession {
  tokenHash: string;
  actor: Actor;
}

export async function login(db: Kysely<DB>, input: LoginInput, source: string, now = new Date()): Promise<Session> {
  const failures = await repo.countFailedLogins(db, new Date(now.getTime() - WINDOW_MS), input.email, source);
  if (failures.byEmail >= MAX_FAILURES_PER_EMAIL || failures.bySource >= MAX_FAILURES_PER_SOURCE) {
    throw new AppError("auth.rate_limited");
  }
  const account = await findByEmail(db, input.email);
  const ok = await verifyPassword(account?.password_hash ?? (await decoyHash()), input.password);
  if (!account || !ok || !account.active) {
    await repo.recordFailedLogin(db, input.email, source);
    throw new AppError("auth.invalid_credentials");
  }
  const token = randomBytes(32).toString("base64url");
  await repo.insertSession(db, hashToken(token), account.id, new Date(now.getTime() + IDLE_MS));
  await touchLogin(db, account.id);
  // Purging here keeps the tables small without a scheduler; the indexes make it cheap.
  await repo.purgeOld(db, new Date(now.getTime() - 24 * 3600_000));
  const actor: Actor = {
    accountId: account.id,
    email: account.email,
    displayName: account.display_name,
    instanceAdmin: account.instance_admin,
    grants: await grantsOf(db, account.id),
  };
  await recordAudit(db, auditActor(actor), { orgId: null, action: "login", entity: "account", entityId: account.id });
  return { token, actor };
}

export async function resolveSession(db: Kysely<DB>, token: string, now = new Date()): Promise<ResolvedSession | undefined> {
  const tokenHash = hashToken(token);
  const row = await repo.findSession(db, tokenHash);
  if (!row) return undefined;
  const expired = row.expires_at <= now || now.getTime() - row.created_at.getTime() > ABSOLUTE_MS;
  if (expired || !row.active) {
    await repo.deleteSession(db, tokenHash);
    return undefined;
  }
  if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await repo.extendSession(db, tokenHash, new Date(now.getTime() + IDLE_MS));
  }
  return {
    tokenHash,
    actor: {
      accountId: row.account_id,
      email: row.email,
      displayName: row.display_name,
      instanceAdmin: row.instance_admin,
      grants: await grantsOf(db, row.account_id),
    },
  };
}

export async function logout(db: Kysely<DB>, tokenHash: string): Promise<void> {
  await repo.deleteSession(db, tokenHash);
}

export { deleteSessionsOf } from "./sessions.repository.ts";
