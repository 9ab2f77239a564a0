import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import type { Actor } from "../../kernel/roles.ts";
import { auditActor, recordAudit } from "../audit/audit.service.ts";
import * as accounts from "./accounts.repository.ts";
import { deleteOtherSessionsOf } from "./my-account.repository.ts";
import type { OwnPasswordInput } from "./my-account.schema.ts";
import { hashNewPassword, verifyPassword } from "./passwords.ts";

export interface MyAccount {
  displayName: string;
  email: string;
  instanceAdmin: boolean;
  grants: accounts.GrantView[];
}

/** What the signed-in person sees of their own account: every role they hold, wherever it is. */
export async function myAccount(db: Kysely<DB>, actor: Actor): Promise<MyAccount> {
  return {
    displayName: actor.displayName,
    email: actor.email,
    instanceAdmin: actor.instanceAdmin,
    grants: await accounts.grantsWithOrgs(db, actor.accountId),
  };
}

/**
 * The person changes their own password: the current one proves it is them (a session left open
 * on a shared counter computer is not enough), and the other sessions of the account end — a
 * password changed because it leaked must shut out whoever used it. The session in use stays open.
 */
export async function changeOwnPassword(
  db: Kysely<DB>,
  actor: Actor,
  sessionTokenHash: string,
  input: OwnPasswordInput,
): Promise<{ closedSessions: number }> {
  const row = await accounts.findByEmail(db, actor.email);
  if (!row || row.id !== actor.accountId) throw new AppError("auth.required");
  if (!(await verifyPassword(row.password_hash, input.currentPassword))) {
    throw new AppError("validation", { fields: { currentPassword: "Le mot de passe actuel est incorrect." } });
  }
  if (input.password === input.currentPassword) {
    throw new AppError("validation", { fields: { password: "Le nouveau mot de passe doit être différent de l'actuel." } });
  }
  const passwordHash = await hashNewPassword(input.password, { email: row.email, displayName: row.display_name });
  return db.transaction().execute(async (trx) => {
    const after = await accounts.updateAccount(trx, row.id, row.version, { passwordHash });
    if (!after) throw new AppError("account.stale");
    const closedSessions = await deleteOtherSessionsOf(trx, row.id, sessionTokenHash);
    await recordAudit(trx, auditActor(actor), {
      orgId: null,
      action: "password",
      entity: "account",
      entityId: row.id,
      after: { changedBy: "self", closedSessions },
    });
    return { closedSessions };
  });
}
