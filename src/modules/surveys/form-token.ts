import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { instanceSecret } from "../../kernel/secrets.ts";

/**
 * The one-time token of a public survey form. Handed out with the page, signed with an instance key
 * kept in the settings table (like the CSRF key, so every app server shares it), bound to the
 * organisation and the survey, and valid a week. Only its SHA-256 is stored, in the response row, whose
 * unique key then refuses a second post of the same form. It is random and tied to nothing else: it
 * does not make the response any less anonymous.
 */
const SETTING = "survey_form_secret";
const MAX_AGE_MS = 7 * 24 * 3600_000;

/** The key never changes once written: read once per database handle, not on every answer. */
const secrets = new WeakMap<object, Buffer>();

async function secretOf(db: Kysely<DB>): Promise<Buffer> {
  const known = secrets.get(db);
  if (known) return known;
  const secret = await instanceSecret(db, SETTING);
  secrets.set(db, secret);
  return secret;
}

/** An HMAC with the instance's survey key, for other signed survey links (kiosk). */
export async function signForm(db: Kysely<DB>, text: string): Promise<string> {
  return createHmac("sha256", await secretOf(db))
    .update(text)
    .digest("base64url");
}

function signature(secret: Buffer, orgId: string, surveyId: string, issued: string, nonce: string): string {
  return createHmac("sha256", secret).update(`survey-form|${orgId}|${surveyId}|${issued}|${nonce}`).digest("base64url");
}

export async function issueFormToken(db: Kysely<DB>, orgId: string, surveyId: string, now = new Date()): Promise<string> {
  const issued = now.getTime().toString(36);
  const nonce = randomBytes(18).toString("base64url");
  return `${issued}.${nonce}.${signature(await secretOf(db), orgId, surveyId, issued, nonce)}`;
}

/** The hash to store when the token is genuine and fresh, null otherwise. */
export async function verifyFormToken(
  db: Kysely<DB>,
  orgId: string,
  surveyId: string,
  token: unknown,
  now = new Date(),
): Promise<string | null> {
  if (typeof token !== "string" || token.length > 200) return null;
  const [issued = "", nonce = "", sent = "", ...rest] = token.split(".");
  if (rest.length || !/^[0-9a-z]{1,12}$/.test(issued) || !/^[A-Za-z0-9_-]{24}$/.test(nonce)) return null;
  const age = now.getTime() - Number.parseInt(issued, 36);
  if (!(age >= -60_000 && age <= MAX_AGE_MS)) return null;
  const expected = Buffer.from(signature(await secretOf(db), orgId, surveyId, issued, nonce));
  const given = Buffer.from(sent);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return createHash("sha256").update(token).digest("base64url");
}
