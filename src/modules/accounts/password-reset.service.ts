import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../kernel/errors.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { queueEmail } from "../mail/mail.service.ts";
import * as repo from "./accounts.repository.ts";
import { hashNewPassword } from "./passwords.ts";
import { deleteSessionsOf, isDemoInstance } from "./sessions.repository.ts";
import { forgetLoginFailures } from "./sessions.service.ts";

/** A reset link works once, for an hour. */
export const RESET_TTL_MS = 3600_000;
/** Instance messages (no organisation) go to the outbox under the nil id, as instance events do in the audit log. */
const INSTANCE_ORG = "00000000-0000-0000-0000-000000000000";

function hashOf(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/**
 * Sends a reset link if an active account has this address; does nothing otherwise. The caller
 * answers the same either way, so the form does not tell who has an account. Only the token's
 * hash is stored: a copy of the database opens no account.
 */
export async function requestPasswordReset(db: Kysely<DB>, email: string, baseUrl: string, now = new Date()): Promise<void> {
  const account = await repo.findByEmail(db, email);
  if (!account?.active || account.service) return;
  if (account.demo && !(await isDemoInstance(db))) return;
  const token = randomBytes(32).toString("base64url");
  const link = `${baseUrl}/password/reset?${new URLSearchParams({ token })}`;
  await db.transaction().execute(async (trx) => {
    await repo.insertPasswordReset(trx, hashOf(token), account.id, new Date(now.getTime() + RESET_TTL_MS));
    await queueEmail(trx, {
      orgId: INSTANCE_ORG,
      kind: "password_reset",
      to: account.email,
      subject: "Vigie — choisir un nouveau mot de passe",
      text: `Bonjour ${account.display_name},

Quelqu'un (sans doute vous) a demandé à changer le mot de passe de votre compte Vigie.
Pour choisir un nouveau mot de passe, ouvrez ce lien dans l'heure qui suit ; il ne sert qu'une fois :

${link}

Si vous n'avez rien demandé, ignorez ce message : votre mot de passe actuel reste valable.`,
    });
  });
}

/** Whether a reset link is still good, to show its form or say at once that it is not. */
export async function resetTokenValid(db: Kysely<DB>, token: string, now = new Date()): Promise<boolean> {
  return (await repo.findPasswordReset(db, hashOf(token), now)) !== undefined;
}

/**
 * Sets the new password of the link's account: the policy applies, the link and any other link of
 * the account are spent, every session of the account is closed, and the guesses that may have
 * locked the account are forgotten (its owner just proved who they are).
 */
export async function completePasswordReset(db: Kysely<DB>, token: string, password: string, now = new Date()): Promise<string> {
  const tokenHash = hashOf(token);
  const found = await repo.findPasswordReset(db, tokenHash, now);
  const account = found ? await repo.findRowById(db, found.account_id) : undefined;
  if (!found || !account?.active) throw new AppError("auth.reset_invalid");
  const passwordHash = await hashNewPassword(password, { email: account.email, displayName: account.display_name });
  await db.transaction().execute(async (trx) => {
    // Locked and read again: two submissions of the same link cannot both change the password.
    if (!(await repo.findPasswordReset(trx, tokenHash, now, true))) throw new AppError("auth.reset_invalid");
    await repo.setPasswordHash(trx, account.id, passwordHash);
    await repo.usePasswordResets(trx, account.id, now);
    await deleteSessionsOf(trx, account.id);
    await recordAudit(
      trx,
      { accountId: account.id, label: account.display_name },
      { orgId: null, action: "password", entity: "account", entityId: account.id },
    );
  });
  await forgetLoginFailures(db, account.email);
  return account.email;
}
