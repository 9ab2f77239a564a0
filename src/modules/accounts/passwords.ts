import argon2 from "argon2";

// OWASP's argon2id baseline (19 MiB, 2 passes): about 30 ms here, cheap for users, dear for guessing.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the account does not exist, so timing does not tell which e-mails exist. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword("mot de passe leurre pour les comptes inconnus");
  return decoy;
}

export const PASSWORD_MIN_LENGTH = 12;
