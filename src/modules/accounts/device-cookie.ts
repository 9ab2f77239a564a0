import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * OWASP's « device cookie » against lock-out abuse: each successful login leaves, in that browser,
 * a token signed for that account (HMAC of the lower-cased e-mail and a random nonce). When guesses
 * lock an account, a browser that shows a valid token for it still signs in: an attacker who knows
 * a person's e-mail can no longer keep them out by guessing. Pure; the secret comes from the instance.
 */
export const DEVICE_COOKIE = "vigie_device";
/** A browser shared at a reception desk remembers the last few people who signed in on it. */
const MAX_ENTRIES = 5;
export const DEVICE_COOKIE_MAX_AGE = 180 * 24 * 3600;

function signature(secret: Buffer, email: string, nonce: string): string {
  return createHmac("sha256", secret).update(`device|${email.toLowerCase()}|${nonce}`).digest("base64url");
}

function entries(cookie: string | undefined): Array<{ nonce: string; sig: string }> {
  if (!cookie) return [];
  return cookie
    .split("~")
    .slice(0, MAX_ENTRIES)
    .flatMap((entry) => {
      const [nonce, sig] = entry.split(".");
      return nonce && sig && /^[A-Za-z0-9_-]{22}$/.test(nonce) && /^[A-Za-z0-9_-]{43}$/.test(sig) ? [{ nonce, sig }] : [];
    });
}

/** The nonce of this browser's valid token for the account, or undefined for an unknown device. */
export function knownDevice(secret: Buffer, cookie: string | undefined, email: string): string | undefined {
  for (const { nonce, sig } of entries(cookie)) {
    const expected = Buffer.from(signature(secret, email, nonce));
    const given = Buffer.from(sig);
    if (expected.length === given.length && timingSafeEqual(expected, given)) return nonce;
  }
  return undefined;
}

/** The cookie after a successful login: a fresh token for the account first, the others kept. */
export function rememberDevice(secret: Buffer, cookie: string | undefined, email: string): string {
  const others = entries(cookie).filter(({ nonce, sig }) => !knownDevice(secret, `${nonce}.${sig}`, email));
  const nonce = randomBytes(16).toString("base64url");
  const fresh = { nonce, sig: signature(secret, email, nonce) };
  return [fresh, ...others]
    .slice(0, MAX_ENTRIES)
    .map((e) => `${e.nonce}.${e.sig}`)
    .join("~");
}
