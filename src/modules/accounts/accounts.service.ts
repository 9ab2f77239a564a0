import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { type Actor, can, type Permission, ROLES, reachRoots, roleAllows } from "../../kernel/roles.ts";
import { auditActor, recordAudit, SYSTEM_ACTOR } from "../audit/audit.service.ts";
import { organisationPath } from "../organisations/organisations.service.ts";
import * as repo from "./accounts.repository.ts";
import type { AccountCreateInput, AccountUpdateInput, GrantInput, SetupInput } from "./accounts.schema.ts";
import { hashNewPassword } from "./passwords.ts";
import { deleteSessionsOf, isDemoInstance, markDemoInstance } from "./sessions.repository.ts";

export type { Account, GrantView } from "./accounts.repository.ts";

/** Who holds a right where, and whom to write to, as expressions other modules' statements embed (alerts, escalation). */
export { accountContactsSql, holdersOnPathSql, isActiveAccountSql, nearestHolderSql, reachableAmongSql } from "./accounts.sql.ts";

export async function accountExists(db: Kysely<DB>, email: string): Promise<boolean> {
  return (await repo.findByEmail(db, email)) !== undefined;
}

/** Whether an account (not the actor) holds a permission on an organisation: who may be handed a request. */
export async function accountCan(db: Kysely<DB>, accountId: string, permission: Permission, orgPath: string[]): Promise<boolean> {
  const account = await repo.findById(db, accountId);
  if (!account?.active) return false;
  return can(
    {
      accountId,
      email: account.email,
      displayName: account.displayName,
      instanceAdmin: account.instanceAdmin,
      grants: await repo.grantsOf(db, accountId),
    },
    permission,
    orgPath,
  );
}

/** One active account with its roles, or undefined. */
export async function activeAccountWithGrants(db: Kysely<DB>, accountId: string) {
  const account = await repo.findById(db, accountId);
  if (!account?.active) return undefined;
  return { ...account, grants: await repo.grantsOf(db, accountId) };
}

/** Active accounts with their roles, for the daily reminders (people only: a service account reads no mail). */
export async function activeAccountsWithGrants(
  db: Kysely<DB>,
): Promise<Array<repo.Account & { grants: Awaited<ReturnType<typeof repo.grantsOf>> }>> {
  const accounts = (await repo.listAccounts(db, null)).filter((a) => a.active && !a.service);
  return Promise.all(accounts.map(async (a) => ({ ...a, grants: await repo.grantsOf(db, a.id) })));
}

/**
 * Makes this a demo instance and flags its demo accounts: they sign in only while the instance is
 * one (the flag `demo_instance` lives in the settings), so demo accounts with a published password
 * copied into a real database open nothing.
 */
export async function markDemo(db: Kysely<DB>, demoEmails: string[]): Promise<void> {
  await markDemoInstance(db);
  await repo.markDemoAccounts(db, demoEmails);
}

export { isDemoInstance };

/** Whether the instance still waits for its first administrator. */
export async function needsSetup(db: Kysely<DB>): Promise<boolean> {
  return (await repo.countAccounts(db)) === 0;
}

/**
 * Creates the first instance administrator. Serialised by a lock on the accounts table,
 * so two people racing on the set-up page cannot both become administrators.
 */
export async function createFirstAdmin(db: Kysely<DB>, input: SetupInput): Promise<repo.Account> {
  const passwordHash = await hashNewPassword(input.password, input);
  return db.transaction().execute(async (trx) => {
    await sql`lock table accounts in exclusive mode`.execute(trx);
    if ((await repo.countAccounts(trx)) > 0) throw new AppError("auth.setup_done");
    const account = await repo.insertAccount(trx, { ...input, passwordHash, instanceAdmin: true });
    await recordAudit(trx, SYSTEM_ACTOR, {
      orgId: null,
      action: "create",
      entity: "account",
      entityId: account.id,
      after: account,
    });
    return account;
  });
}

/** Creates an instance administrator from the command line (no actor). */
export async function createInstanceAdmin(db: Kysely<DB>, input: SetupInput): Promise<repo.Account> {
  const passwordHash = await hashNewPassword(input.password, input);
  return db.transaction().execute(async (trx) => {
    if (await repo.findByEmail(trx, input.email)) throw new AppError("account.email_taken");
    const account = await repo.insertAccount(trx, { ...input, passwordHash, instanceAdmin: true });
    await recordAudit(trx, SYSTEM_ACTOR, { orgId: null, action: "create", entity: "account", entityId: account.id, after: account });
    return account;
  });
}

export function listAccounts(db: Kysely<DB>, actor: Actor): Promise<repo.Account[]> {
  return repo.listAccounts(db, actor.instanceAdmin ? null : reachRoots(actor, "account.manage"));
}

export interface AccountDetails {
  account: repo.Account;
  /** The roles on organisations the actor can see; the others are only counted. */
  grants: repo.GrantView[];
  hiddenGrants: number;
  /** Whether the actor may change the profile and password (every grant is within its reach). */
  editable: boolean;
}

/** An account the actor manages; unknown and out-of-reach accounts alike are "not found". */
export async function getAccount(db: Kysely<DB>, actor: Actor, accountId: string): Promise<AccountDetails> {
  const account = await repo.findById(db, accountId);
  if (!account) throw new AppError("account.not_found");
  const grants = await repo.grantsWithOrgs(db, accountId);
  if (actor.instanceAdmin) return { account, grants, hiddenGrants: 0, editable: true };
  const managed = grants.filter((g) => can(actor, "account.manage", g.orgPath));
  if (account.instanceAdmin || managed.length === 0) throw new AppError("account.not_found");
  // Roles held in another tenant's tree are not the actor's business: neither the organisation nor the role shows.
  const visible = grants.filter((g) => can(actor, "org.read", g.orgPath));
  return { account, grants: visible, hiddenGrants: grants.length - visible.length, editable: managed.length === grants.length };
}

/** Whether the actor manages the account: for the access check, before any input is read. */
export async function canManageAccount(db: Kysely<DB>, actor: Actor, accountId: string): Promise<boolean> {
  try {
    await getAccount(db, actor, accountId);
    return true;
  } catch (error) {
    if (error instanceof AppError && error.code === "account.not_found") return false;
    throw error;
  }
}

async function requireEditable(db: Kysely<DB>, actor: Actor, accountId: string): Promise<AccountDetails> {
  const details = await getAccount(db, actor, accountId);
  if (!details.editable) throw new AppError("auth.forbidden");
  return details;
}

async function requireManagedOrg(db: Kysely<DB>, actor: Actor, orgId: string): Promise<void> {
  const path = await organisationPath(db, orgId);
  if (!path || !can(actor, "org.read", path)) {
    throw new AppError("validation", { fields: { orgId: "Organisation introuvable." } });
  }
  if (!can(actor, "account.manage", path)) {
    throw new AppError("validation", { fields: { orgId: "Vous ne gérez pas les comptes de cette organisation." } });
  }
}

export async function createAccount(db: Kysely<DB>, actor: Actor, input: AccountCreateInput): Promise<repo.Account> {
  await requireManagedOrg(db, actor, input.orgId);
  const passwordHash = await hashNewPassword(input.password, input);
  return db.transaction().execute(async (trx) => {
    if (await repo.findByEmail(trx, input.email)) {
      throw new AppError("validation", { fields: { email: "Un compte existe déjà avec cette adresse électronique." } });
    }
    const account = await repo.insertAccount(trx, { ...input, passwordHash, instanceAdmin: false });
    await repo.insertGrant(trx, input.orgId, account.id, input.role);
    const who = auditActor(actor);
    await recordAudit(trx, who, { orgId: input.orgId, action: "create", entity: "account", entityId: account.id, after: account });
    await recordAudit(trx, who, {
      orgId: input.orgId,
      action: "grant",
      entity: "account",
      entityId: account.id,
      after: { orgId: input.orgId, role: input.role },
    });
    return account;
  });
}

export async function updateAccount(db: Kysely<DB>, actor: Actor, accountId: string, input: AccountUpdateInput): Promise<repo.Account> {
  const { account: before, grants } = await requireEditable(db, actor, accountId);
  return db.transaction().execute(async (trx) => {
    // Locking the administrators' rows: two of them switching each other off at once must not both pass.
    if (before.instanceAdmin) await sql`select id from accounts where instance_admin and active for update`.execute(trx);
    if (before.instanceAdmin && before.active && !input.active && (await repo.countActiveInstanceAdmins(trx)) <= 1) {
      throw new AppError("account.last_admin");
    }
    const after = await repo.updateAccount(trx, accountId, input.version, { displayName: input.displayName, active: input.active });
    if (!after) throw new AppError("account.stale");
    if (!after.active) await deleteSessionsOf(trx, accountId);
    await recordAudit(trx, auditActor(actor), {
      orgId: grants[0]?.orgId ?? null,
      action: "update",
      entity: "account",
      entityId: accountId,
      before,
      after,
    });
    return after;
  });
}

export async function resetPassword(db: Kysely<DB>, actor: Actor, accountId: string, password: string, version: number): Promise<void> {
  const { account, grants } = await requireEditable(db, actor, accountId);
  const passwordHash = await hashNewPassword(password, account);
  await db.transaction().execute(async (trx) => {
    const after = await repo.updateAccount(trx, accountId, version, { passwordHash });
    if (!after) throw new AppError("account.stale");
    // A new password closes the sessions opened with the old one.
    await deleteSessionsOf(trx, accountId);
    await recordAudit(trx, auditActor(actor), {
      orgId: grants[0]?.orgId ?? null,
      action: "password",
      entity: "account",
      entityId: accountId,
    });
  });
}

export async function addGrant(db: Kysely<DB>, actor: Actor, accountId: string, input: GrantInput): Promise<void> {
  await getAccount(db, actor, accountId);
  await requireManagedOrg(db, actor, input.orgId);
  await db.transaction().execute(async (trx) => {
    if (await repo.insertGrant(trx, input.orgId, accountId, input.role)) {
      await recordAudit(trx, auditActor(actor), {
        orgId: input.orgId,
        action: "grant",
        entity: "account",
        entityId: accountId,
        after: input,
      });
    }
  });
}

export async function removeGrant(db: Kysely<DB>, actor: Actor, accountId: string, input: GrantInput): Promise<void> {
  await getAccount(db, actor, accountId);
  await requireManagedOrg(db, actor, input.orgId);
  await db.transaction().execute(async (trx) => {
    if (await repo.deleteGrant(trx, input.orgId, accountId, input.role)) {
      await recordAudit(trx, auditActor(actor), {
        orgId: input.orgId,
        action: "revoke",
        entity: "account",
        entityId: accountId,
        before: input,
      });
    }
  });
}

/** The quality referents of each of these organisations (grants on the organisation itself), for reminders. */
export function referentsOf(db: Kysely<DB>, orgIds: string[]): Promise<Array<{ orgId: string; email: string }>> {
  return repo.accountsWithRoleOver(db, orgIds, "referent");
}

/** Never a password hash: no password can match it, and sign-in refuses service accounts anyway. */
const SERVICE_NO_PASSWORD = "!service";

/**
 * Creates a service account (another system, e.g. a telephony platform) with one first role; only an
 * instance administrator may. Its address is made up under `.invalid` (a domain that cannot exist),
 * so no mail and no OpenID provider can ever reach it; it is an identity for the audit log.
 */
export async function createServiceAccount(
  db: Kysely<DB>,
  actor: Actor,
  input: { name: string; orgId: string; role: GrantInput["role"] },
): Promise<repo.Account> {
  if (!actor.instanceAdmin) throw new AppError("auth.forbidden");
  await requireManagedOrg(db, actor, input.orgId);
  const slug = input.name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .toLowerCase()
    .slice(0, 40);
  const email = `${slug || "service"}-${randomBytes(4).toString("hex")}@comptes-de-service.invalid`;
  return db.transaction().execute(async (trx) => {
    const account = await repo.insertAccount(trx, {
      email,
      displayName: input.name,
      passwordHash: SERVICE_NO_PASSWORD,
      instanceAdmin: false,
      service: true,
    });
    await repo.insertGrant(trx, input.orgId, account.id, input.role);
    const who = auditActor(actor);
    await recordAudit(trx, who, { orgId: input.orgId, action: "create", entity: "account", entityId: account.id, after: account });
    await recordAudit(trx, who, {
      orgId: input.orgId,
      action: "grant",
      entity: "account",
      entityId: account.id,
      after: { orgId: input.orgId, role: input.role },
    });
    return account;
  });
}

/** The service accounts with their roles, for the instance administrator's page. */
export async function listServiceAccounts(db: Kysely<DB>, actor: Actor) {
  if (!actor.instanceAdmin) throw new AppError("auth.forbidden");
  const accounts = await repo.listServiceAccounts(db);
  return Promise.all(accounts.map(async (a) => ({ ...a, grants: await repo.grantsOf(db, a.id) })));
}

/** The people who handle requests at an organisation (on it, above or below it): candidates to receive its overdue ones. */
export function requestHandlersAround(db: Kysely<DB>, orgId: string) {
  const roles = ROLES.filter((r) => roleAllows(r, "request.write"));
  return repo.peopleAround(db, orgId, roles);
}
