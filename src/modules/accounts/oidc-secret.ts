import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { instanceSecret } from "../../kernel/secrets.ts";

/**
 * Client secrets of the OpenID providers are kept encrypted (AES-256-GCM) with a key derived from an
 * instance secret held in the settings: a copy of the providers table alone (an export, a support
 * ticket) does not give the secret away, and every app server can decrypt it.
 */
async function key(db: Kysely<DB>): Promise<Buffer> {
  const secret = await instanceSecret(db, "oidc_secret_key");
  return Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), "vigie oidc client secret", 32));
}

export async function seal(db: Kysely<DB>, plain: string): Promise<string> {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", await key(db), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

export async function unseal(db: Kysely<DB>, sealed: string): Promise<string> {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || data === undefined) throw new Error("secret chiffré illisible");
  const decipher = createDecipheriv("aes-256-gcm", await key(db), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}
