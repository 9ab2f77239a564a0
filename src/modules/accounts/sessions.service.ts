import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { clearHits, type Limit, returnHit, takeHit } from "../../kernel/rate-limit.ts";
import type { Actor } from "../../kernel/roles.ts";
import { instanceSecret } from "../../kernel/secrets.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import { findByEmail, grantsOf, touchLogin } from "./accounts.repository.ts";
import type { LoginInput } from "./accounts.schema.ts";
import { knownDevice, rememberDevice } from "./device-cookie.ts";
import { passwordsEnabled } from "./oidc.repository.ts";
import { decoyHash, verifyPassword } from "./passwords.ts";
import * as repo from "./sessions.repository.ts";

/** A session lives 8 hours after the last request, and never more than 7 days. */
const IDLE_MS = 8 * 3600_000;
const ABSOLUTE_MS = 7 * 24 * 3600_000;
/** Sliding the expiry costs a write: do it at most every 5 minutes per session. */
const TOUCH_EVERY_MS = 5 * 60_000;

/**
 * Login attempts allowed per 15 minutes. Each attempt is counted before its password is checked
 * (one atomic statement) and given back when it succeeds, so parallel guesses cannot outrun the count.
 * - from a browser that holds a device cookie for the account: 5 per device, the account's
 *   lock-out does not apply (see device-cookie.ts);
 * - from any other browser: 5 per account, and 50 per address (generous: a town hall's agents
 *   share one address, and most of them sign in from known devices anyway).
 */
const WINDOW_MS = 15 * 60_000;
export const LOGIN_LIMITS = {
  device: { max: 5, windowMs: WINDOW_MS },
  account: { max: 5, windowMs: WINDOW_MS },
  address: { max: 50, windowMs: WINDOW_MS },
} as const;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export interface ResolvedSession {
  tokenHash: string;
  actor: Actor;
}

export interface LoginContext {
  /** The client's address (as the trusted proxies tell it). */
  source: string;
  /** The browser's device cookie, if any. */
  deviceCookie?: string | undefined;
}

export interface Session {
  token: string;
  actor: Actor;
  /** The device cookie to set in the browser: it now knows this account. */
  deviceCookie: string;
}

let secretCache: { db: Kysely<DB>; secret: Promise<Buffer> } | undefined;
function deviceSecret(db: Kysely<DB>): Promise<Buffer> {
  if (secretCache?.db !== db) secretCache = { db, secret: instanceSecret(db, "device_secret") };
  return secretCache.secret;
}

type Reserved = Array<[bucket: string, key: string, limit: Limit]>;

/** Counts the attempt where it belongs, or refuses it; returns the hits to give back on success. */
async function reserveAttempt(db: Kysely<DB>, email: string, device: string | undefined, source: string, now: Date): Promise<Reserved> {
  if (device) {
    await takeHit(db, "login-device", device, LOGIN_LIMITS.device, now, "auth.rate_limited");
    return [["login-device", device, LOGIN_LIMITS.device]];
  }
  await takeHit(db, "login-address", source, LOGIN_LIMITS.address, now, "auth.rate_limited");
  await takeHit(db, "login-account", email, LOGIN_LIMITS.account, now, "auth.locked");
  return [
    ["login-address", source, LOGIN_LIMITS.address],
    ["login-account", email, LOGIN_LIMITS.account],
  ];
}

export async function login(db: Kysely<DB>, input: LoginInput, context: LoginContext, now = new Date()): Promise<Session> {
  // Refused on the server too: hiding the form is not enough when the instance turned passwords off.
  if (!(await passwordsEnabled(db))) throw new AppError("auth.password_disabled");
  const email = input.email.toLowerCase();
  const secret = await deviceSecret(db);
  const device = knownDevice(secret, context.deviceCookie, email);
  const reserved = await reserveAttempt(db, email, device, context.source, now);
  const account = await findByEmail(db, email);
  const ok = await verifyPassword(account?.password_hash ?? (await decoyHash()), input.password);
  if (!account || !ok || !account.active || account.service) throw new AppError("auth.invalid_credentials");
  // A success is not a guess: its hits go back, so signing in often never locks anyone.
  for (const [bucket, key, limit] of reserved) await returnHit(db, bucket, key, limit, now);
  return openSession(db, account, context, now);
}

/**
 * Opens a session for an account whose owner has proved who they are (password or OpenID provider),
 * records the sign-in in the audit log, and returns the cookies to set.
 */
export async function openSession(
  db: Kysely<DB>,
  account: { id: string; email: string; display_name: string; instance_admin: boolean; demo: boolean },
  context: LoginContext & { via?: Record<string, unknown> },
  now = new Date(),
): Promise<Session & { tokenHash: string }> {
  if (account.demo && !(await repo.isDemoInstance(db))) throw new AppError("auth.demo_account");
  const secret = await deviceSecret(db);
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
  await recordAudit(db, auditActor(actor), { orgId: null, action: "login", entity: "account", entityId: account.id, after: context.via });
  return { token, tokenHash: hashToken(token), actor, deviceCookie: rememberDevice(secret, context.deviceCookie, account.email) };
}

/** After a reset by e-mail the owner has proved who they are: the guesses against the account are forgotten. */
export async function forgetLoginFailures(db: Kysely<DB>, email: string): Promise<void> {
  await clearHits(db, "login-account", email.toLowerCase());
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
