import { createHmac, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { instanceSecret } from "../../kernel/secrets.ts";

/**
 * The short tracking code a person types from a paper letter: 8 characters from an alphabet without
 * look-alikes (no 0/O, 1/I/L), printed « ABCD-EFGH », accepted in any case, with or without dashes
 * or spaces.
 *
 * Why derived rather than stored: the printed acknowledgement needs the code in clear, and it may be
 * printed again weeks later. A random code stored only as a hash could not be re-printed (the old
 * design renewed the token at each print, breaking the e-mailed link). So the code is an HMAC of the
 * request's id with an instance key kept in the settings table (shared by every app server, like the
 * survey and import keys): nothing per request is stored, any page or letter can show it again, and
 * every request — old ones included — has one. A stored hash would add no protection: 31^8 codes
 * (about 40 bits) are brute-forced offline in minutes by whoever reads the database, and that reader
 * also reads the key. Guessing online is what matters, and /track is rate-limited.
 */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LENGTH = 8;
const SETTING = "tracking_code_secret";

/** The key never changes once written: read once per database handle. */
const secrets = new WeakMap<object, Buffer>();

export async function trackingSecret(db: Kysely<DB>): Promise<Buffer> {
  const known = secrets.get(db);
  if (known) return known;
  const secret = await instanceSecret(db, SETTING);
  secrets.set(db, secret);
  return secret;
}

/** The code of a request, from its id and the instance key (no dashes: see formatTrackingCode). */
export function codeFromSecret(secret: Buffer, requestId: string): string {
  let code = "";
  // Rejection sampling keeps every character equally likely: bytes past 31 × 8 = 248 are skipped,
  // and a fresh HMAC (counter) is taken in the unlikely case 32 bytes were not enough.
  for (let counter = 0; code.length < CODE_LENGTH; counter++) {
    const bytes = createHmac("sha256", secret).update(`tracking-code|${requestId}|${counter}`).digest();
    for (const byte of bytes) {
      if (byte >= 248) continue;
      code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
      if (code.length === CODE_LENGTH) break;
    }
  }
  return code;
}

export async function trackingCodeFor(db: Kysely<DB>, requestId: string): Promise<string> {
  return codeFromSecret(await trackingSecret(db), requestId);
}

/** « ABCDEFGH » → « ABCD-EFGH », as printed and shown. */
export function formatTrackingCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What a person typed, as the code it means: upper case, no dashes or spaces; undefined when it cannot be one. */
export function normaliseTrackingCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s\-–—.]/g, "");
  if (code.length !== CODE_LENGTH) return undefined;
  for (const c of code) if (!CODE_ALPHABET.includes(c)) return undefined;
  return code;
}

/** Whether a typed (normalised) code is the request's, in constant time. */
export async function codeMatches(db: Kysely<DB>, requestId: string, code: string): Promise<boolean> {
  const expected = Buffer.from(await trackingCodeFor(db, requestId));
  const given = Buffer.from(code);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
