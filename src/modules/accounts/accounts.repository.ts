import { type Kysely, sql } from "kysely";
import type { AccountRow, DB } from "../../db/schema.ts";
import { type Grant, isRole } from "../../kernel/roles.ts";
import { inSubtreeSql, organisationNameSql, organisationPathSql, pathOfSql, subtreesIds } from "../organisations/organisations.service.ts";

export interface Account {
  id: string;
  email: string;
  displayName: string;
  instanceAdmin: boolean;
  active: boolean;
  version: number;
  createdAt: Date;
  lastLoginAt: Date | null;
  /** A service account: acts through API tokens only. */
  service: boolean;
}

export function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    instanceAdmin: row.instance_admin,
    active: row.active,
    version: row.version,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
    service: row.service,
  };
}

export async function countAccounts(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom("accounts").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
  return row.n;
}

export async function findByEmail(db: Kysely<DB>, email: string): Promise<AccountRow | undefined> {
  return db.selectFrom("accounts").selectAll().where(sql`lower(email)`, "=", email.toLowerCase()).executeTakeFirst();
}

export async function findById(db: Kysely<DB>, accountId: string): Promise<Account | undefined> {
  const row = await db.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

export async function insertAccount(
  db: Kysely<DB>,
  values: { email: string; displayName: string; passwordHash: string; instanceAdmin: boolean; service?: boolean },
): Promise<Account> {
  const row = await db
    .insertInto("accounts")
    .values({
      email: values.email,
      display_name: values.displayName,
      password_hash: values.passwordHash,
      instance_admin: values.instanceAdmin,
      service: values.service ?? false,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toAccount(row);
}

export async function updateAccount(
  db: Kysely<DB>,
  accountId: string,
  version: number,
  values: { displayName?: string; active?: boolean; passwordHash?: string },
): Promise<Account | undefined> {
  const row = await db
    .updateTable("accounts")
    .set({
      ...(values.displayName !== undefined ? { display_name: values.displayName } : {}),
      ...(values.active !== undefined ? { active: values.active } : {}),
      ...(values.passwordHash !== undefined ? { password_hash: values.passwordHash } : {}),
      version: version + 1,
      updated_at: new Date(),
    })
    .where("id", "=", accountId)
    .where("version", "=", version)
    .returningAll()
    .executeTakeFirst();
  return row ? toAccount(row) : undefined;
}

export async function touchLogin(db: Kysely<DB>, accountId: string): Promise<void> {
  await db.updateTable("accounts").set({ last_login_at: new Date() }).where("id", "=", accountId).execute();
}

export async function grantsOf(db: Kysely<DB>, accountId: string): Promise<Grant[]> {
  const rows = await db.selectFrom("grants").select(["org_id", "role"]).where("account_id", "=", accountId).execute();
  return rows.flatMap((r) => (isRole(r.role) ? [{ orgId: r.org_id, role: r.role }] : []));
}

export interface GrantView extends Grant {
  orgName: string;
  orgPath: string[];
}

export async function grantsWithOrgs(db: Kysely<DB>, accountId: string): Promise<GrantView[]> {
  const name = organisationNameSql("g.org_id");
  const rows = await db
    .selectFrom("grants as g")
    .select(["g.org_id", "g.role", name.as("name"), organisationPathSql("g.org_id").as("path")])
    .where("g.account_id", "=", accountId)
    .orderBy(name)
    .execute();
  return rows.flatMap((r) => (isRole(r.role) ? [{ orgId: r.org_id, role: r.role, orgName: r.name, orgPath: r.path }] : []));
}

export async function insertGrant(db: Kysely<DB>, orgId: string, accountId: string, role: string): Promise<boolean> {
  const result = await db
    .insertInto("grants")
    .values({ org_id: orgId, account_id: accountId, role })
    .onConflict((oc) => oc.columns(["org_id", "account_id", "role"]).doNothing())
    .returning("role")
    .executeTakeFirst();
  return result !== undefined;
}

export async function deleteGrant(db: Kysely<DB>, orgId: string, accountId: string, role: string): Promise<boolean> {
  const result = await db
    .deleteFrom("grants")
    .where("org_id", "=", orgId)
    .where("account_id", "=", accountId)
    .where("role", "=", role)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Accounts with a grant in the subtrees of `roots` (every account when roots is null). */
export async function listAccounts(db: Kysely<DB>, roots: string[] | null): Promise<Account[]> {
  let q = db.selectFrom("accounts").selectAll();
  if (roots !== null) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("grants as g")
          .select(sql`1`.as("x"))
          .whereRef("g.account_id", "=", "accounts.id")
          .where("g.org_id", "in", subtreesIds(db, roots)),
      ),
    );
  }
  const rows = await q.orderBy("display_name").execute();
  return rows.map(toAccount);
}

export async function countActiveInstanceAdmins(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom("accounts")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("instance_admin", "=", true)
    .where("active", "=", true)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function insertPasswordReset(db: Kysely<DB>, tokenHash: string, accountId: string, expiresAt: Date): Promise<void> {
  await db.insertInto("password_resets").values({ token_hash: tokenHash, account_id: accountId, expires_at: expiresAt }).execute();
}

/** A reset token still good at `now`; `lock` takes its row so two submissions cannot both use it. */
export async function findPasswordReset(db: Kysely<DB>, tokenHash: string, now: Date, lock = false) {
  let q = db
    .selectFrom("password_resets")
    .select(["token_hash", "account_id"])
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Spends every token of the account: the one used and any other still lying in a mailbox. */
export async function usePasswordResets(db: Kysely<DB>, accountId: string, now: Date): Promise<void> {
  await db.updateTable("password_resets").set({ used_at: now }).where("account_id", "=", accountId).where("used_at", "is", null).execute();
  await db
    .deleteFrom("password_resets")
    .where("expires_at", "<", new Date(now.getTime() - 24 * 3600_000))
    .execute();
}

export async function findRowById(db: Kysely<DB>, accountId: string): Promise<AccountRow | undefined> {
  return db.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst();
}

export async function setPasswordHash(db: Kysely<DB>, accountId: string, passwordHash: string): Promise<void> {
  await db
    .updateTable("accounts")
    .set({ password_hash: passwordHash, version: sql`version + 1`, updated_at: new Date() })
    .where("id", "=", accountId)
    .execute();
}

export async function markDemoAccounts(db: Kysely<DB>, emails: string[]): Promise<void> {
  if (emails.length === 0) return;
  await db
    .updateTable("accounts")
    .set({ demo: true })
    .where(
      sql`lower(email)`,
      "in",
      emails.map((e) => e.toLowerCase()),
    )
    .execute();
}

/**
 * The active accounts holding `role` on each of `orgIds` itself (not on an ancestor: the network's own
 * referents are the ones writing the reminder). One query for the whole set.
 */
export async function accountsWithRoleOver(
  db: Kysely<DB>,
  orgIds: string[],
  role: string,
): Promise<Array<{ orgId: string; email: string }>> {
  if (orgIds.length === 0) return [];
  const rows = await sql<{ org_id: string; email: string }>`
    select distinct g.org_id, a.email
    from grants g
    -- People only: a service account's address is made up and reads no mail.
    join accounts a on a.id = g.account_id and a.active and not a.service
    where g.role = ${role} and g.org_id = any(${sql.val(orgIds)}::uuid[])
    order by g.org_id, a.email`.execute(db);
  return rows.rows.map((r) => ({ orgId: r.org_id, email: r.email }));
}

export async function listServiceAccounts(db: Kysely<DB>): Promise<Account[]> {
  const rows = await db.selectFrom("accounts").selectAll().where("service", "=", true).orderBy("display_name").orderBy("id").execute();
  return rows.map(toAccount);
}

/**
 * The active people holding one of `roles` on an organisation, on one of its ancestors or anywhere below it:
 * those who may be named to receive its requests (escalation, issue #15). One query.
 */
export async function peopleAround(
  db: Kysely<DB>,
  orgId: string,
  roles: string[],
): Promise<Array<{ id: string; displayName: string; email: string }>> {
  const rows = await sql<{ id: string; display_name: string; email: string }>`
    select distinct a.id, a.display_name, a.email
    from grants g
    join accounts a on a.id = g.account_id and a.active and not a.service
    where g.role = any(${sql.val(roles)}::text[])
      and (${inSubtreeSql("g.org_id", orgId)} or g.org_id = any(${pathOfSql(orgId)}::uuid[]))
    order by a.display_name, a.email`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, displayName: r.display_name, email: r.email }));
}
