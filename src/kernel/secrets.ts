import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../db/schema.ts";
import { settingWrittenOnce } from "./settings.ts";

/**
 * A secret made once per instance and kept in the settings, so every app server shares it (CSRF,
 * device cookies, survey forms, tracking codes, import payloads, the OpenID key): 32 random bytes in
 * base64url, the key being the bytes of that text. Read on every call: a caller that needs it often
 * keeps it per database handle.
 */
export async function instanceSecret(db: Kysely<DB>, key: string): Promise<Buffer> {
  return Buffer.from(await settingWrittenOnce(db, key, randomBytes(32).toString("base64url")));
}

/** An AES-256 key made once per instance: 32 random bytes kept in base64, returned decoded. */
export async function instanceKey(db: Kysely<DB>, key: string): Promise<Buffer> {
  return Buffer.from(await settingWrittenOnce(db, key, randomBytes(32).toString("base64")), "base64");
}
