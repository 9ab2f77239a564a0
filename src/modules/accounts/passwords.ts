import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import argon2 from "argon2";
import { AppError } from "../../kernel/errors.ts";

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
export const PASSWORD_MAX_LENGTH = 200;

/** Who the password is for: a password made of one's own name or e-mail is the first guess. */
export interface PasswordOwner {
  email?: string | undefined;
  displayName?: string | undefined;
}

const COMMON_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../data/passwords/common.txt");
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(readFileSync(COMMON_FILE, "utf8").split("\n").filter(Boolean));
  return common;
}

const LEET: Record<string, string> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s", "!": "i" };

/** Lower case, no accents, letters and digits only: the form common.txt is written in. */
function core(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

const SEQUENCES = [
  "abcdefghijklmnopqrstuvwxyz",
  "01234567890123456789",
  "azertyuiopqsdfghjklmwxcvbn",
  "qwertyuiopasdfghjklzxcvbnm",
  "1234567890azertyuiop",
  "1234567890qwertyuiop",
];

function isSequence(text: string): boolean {
  if (text.length < 4) return false;
  return SEQUENCES.some((s) => s.includes(text) || [...s].reverse().join("").includes(text));
}

/** The words of a name or an e-mail worth looking for (4 letters or more: « Léa » is in too many words). */
function ownerWords(owner: PasswordOwner): string[] {
  const local = owner.email?.split("@")[0] ?? "";
  const parts = [local, ...local.split(/[._+-]/), ...(owner.displayName ?? "").split(/[\s'’-]+/)];
  return [...new Set(parts.map(core).filter((w) => w.length >= 4))];
}

/**
 * The password policy, in one place: first run, create-admin, account creation, password change
 * and reset all call it. Returns why a password is refused, in French, or undefined when it is
 * accepted. Length first (12 characters, as ANSSI advises for a password alone), then what a
 * guesser tries first: one character repeated, a short pattern repeated, a run of the alphabet,
 * digits or keyboard, a password from the shipped list of common ones (data/passwords/common.txt,
 * also with its digits or symbols around it and « l33t » letters undone), the person's own name or
 * e-mail.
 */
export function checkPasswordPolicy(password: string, owner: PasswordOwner = {}): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `Le mot de passe doit compter au moins ${PASSWORD_MIN_LENGTH} caractères.`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Le mot de passe est trop long (${PASSWORD_MAX_LENGTH} caractères au plus).`;
  if (new Set(password).size === 1) return "Le mot de passe ne peut pas être un seul caractère répété.";
  if (new Set(password.toLowerCase()).size < 5) return "Le mot de passe compte trop peu de caractères différents (5 au moins).";
  const repeated = /^(.{1,6}?)\1+$/su.exec(password.toLowerCase());
  if (repeated) return `Le mot de passe ne peut pas être un même motif répété (« ${repeated[1]} »).`;
  const plain = core(password);
  if (plain.length === 0) return "Le mot de passe doit contenir des lettres ou des chiffres.";
  if (isSequence(plain)) return "Le mot de passe ne peut pas être une suite de caractères (alphabet, chiffres ou touches du clavier).";
  // « Motdepasse2024! », « P@ssw0rd1234 », « 2024azerty » : the same guess with digits and symbols
  // around it, and « l33t » letters put back.
  const lower = password.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  const trimmed = lower.replace(/^[^a-z@$]+|[^a-z@$]+$/g, "");
  const deleet = (text: string) => [...text].map((ch) => LEET[ch] ?? ch).join("");
  const candidates = [plain, core(trimmed), core(deleet(lower)), core(deleet(trimmed))];
  const list = commonPasswords();
  if (candidates.some((c) => c.length > 0 && (list.has(c) || isSequence(c)))) {
    return "Ce mot de passe fait partie des plus courants : il serait deviné parmi les premiers. Choisissez par exemple une phrase de plusieurs mots.";
  }
  for (const word of ownerWords(owner)) {
    if (plain.includes(word)) {
      return "Le mot de passe ne doit pas reprendre votre nom ou votre adresse électronique.";
    }
  }
  return undefined;
}

/** The policy as a form error on the `password` field. */
export function assertPasswordPolicy(password: string, owner: PasswordOwner = {}): void {
  const reason = checkPasswordPolicy(password, owner);
  if (reason) throw new AppError("validation", { fields: { password: reason } });
}

/** The hash of a new password, once the policy accepts it: the one way a chosen password is stored. */
export async function hashNewPassword(password: string, owner: PasswordOwner): Promise<string> {
  assertPasswordPolicy(password, owner);
  return hashPassword(password);
}
